import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, randn, tensor, zeros, type Tensor } from '../../src/index.js';
import { CrossEntropyLoss, functional as F, KLDivLoss, MSELoss } from '../../src/nn/index.js';

const labels = (...v: number[]) => tensor(Int32Array.from(v), { shape: [v.length] });
const f64 = (data: number[][] | number[]) => tensor(data, { dtype: 'float64' });
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('loss errors', () => {
  it('a class index out of range names the index, its position and the number of classes', () => {
    const scores = zeros([4, 10]);
    assert.throws(() => F.crossEntropy(scores, labels(1, 2, 3, 12)), {
      name: 'RangeError',
      message:
        'crossEntropy: target 12 at position 3 is out of range for 10 classes (expected 0..9, or ignoreIndex -100)',
    });
    assert.throws(
      () => new CrossEntropyLoss().forward(scores, labels(-1, 0, 0, 0)),
      /target -1 at position 0 is out of range/,
    );
    assert.throws(
      () => F.nllLoss(zeros([2, 3]), labels(0, 3), { ignoreIndex: 7 }),
      /nllLoss: target 3 at position 1 is out of range for 3 classes \(expected 0\.\.2, or ignoreIndex 7\)/,
    );
    const kdim = tensor(Int32Array.of(0, 1, 2, 0, 5, 1), { shape: [2, 3] });
    assert.throws(
      () => F.crossEntropy(zeros([2, 4, 3]), kdim),
      /target 5 at position \[1, 1\] is out of range for 4 classes/,
    );
  });

  it('shape mismatches name both shapes', () => {
    assert.throws(
      () => F.crossEntropy(zeros([4, 10]), labels(1, 2, 3)),
      /crossEntropy: input shape \[4, 10\] needs class-index targets of shape \[4\] \(or probabilities of shape \[4, 10\]\), got target shape \[3\]/,
    );
    assert.throws(
      () => new MSELoss().forward(zeros([3, 1]), zeros([3])),
      /mseLoss: input shape \[3, 1\] and target shape \[3\] differ/,
    );
    assert.throws(
      () => F.l1Loss(zeros([2]), zeros([3])),
      /l1Loss: input shape \[2\] and target shape \[3\] differ/,
    );
    assert.throws(
      () => F.binaryCrossEntropyWithLogits(zeros([2, 2]), zeros([4])),
      /\[2, 2\] and target shape \[4\]/,
    );
    assert.throws(() => new KLDivLoss().forward(zeros([2, 2]), zeros([2])), /klDiv: input shape \[2, 2\]/);
    assert.throws(
      () => F.crossEntropy(zeros([2, 3]), zeros([2, 4])),
      /probability targets must have the input's shape \[2, 3\], got \[2, 4\]/,
    );
  });

  it('float class targets, bad weights, reductions and probabilities are refused clearly', () => {
    assert.throws(
      () => F.crossEntropy(zeros([2, 3]), tensor([0, 1])),
      /class-index targets must be an int32 tensor, got float32.*\.int\(\)/,
    );
    assert.throws(
      () => F.crossEntropy(zeros([2, 3]), labels(0, 1), { weight: [1, 2] }),
      /weight of shape \[2\] must have one entry per class, \[3\]/,
    );
    assert.throws(
      () => F.mseLoss(zeros([1]), zeros([1]), { reduction: 'avg' as 'mean' }),
      /reduction must be one of 'mean', 'sum', 'none', got 'avg'/,
    );
    assert.throws(
      () => new KLDivLoss({ reduction: 'avg' as 'mean' }),
      /KLDivLoss: reduction must be one of 'mean', 'batchmean', 'sum', 'none'/,
    );
    assert.throws(
      () => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])),
      /input element 1 is 1\.5, but the input must be probabilities in \[0, 1\]/,
    );
    assert.throws(
      () => F.crossEntropy(zeros([2, 3]), labels(0, 1), { labelSmoothing: 2 }),
      /labelSmoothing must be in \[0, 1\]/,
    );
  });
});

describe('loss behaviour', () => {
  it('cross-entropy ignores ignoreIndex targets in the sum and in the mean', () => {
    const x = randn([4, 3], { dtype: 'float64', generator: new Generator(2) });
    const all = F.crossEntropy(x, labels(0, 2, 1, 1), { reduction: 'none' }).toTypedArray();
    const mean = F.crossEntropy(x, labels(0, -100, 1, -100)).item();
    close(mean, (all[0]! + all[2]!) / 2);
    assert.equal(F.crossEntropy(x, labels(0, -100, 1, -100), { reduction: 'none' }).toTypedArray()[1], 0);
  });

  it('cross-entropy accepts an unbatched [C] input with a scalar target', () => {
    const x = randn([5], { dtype: 'float64', generator: new Generator(3) });
    const one = F.crossEntropy(x, tensor(Int32Array.of(2), { shape: [] }));
    close(one.item(), F.crossEntropy(x.unsqueeze(0), labels(2)).item());
    assert.deepEqual(
      [...F.crossEntropy(x, tensor(Int32Array.of(2), { shape: [] }), { reduction: 'none' }).shape],
      [],
    );
  });

  it('cross-entropy with one-hot probability targets equals the class-index form, smoothing included', () => {
    const x = randn([3, 4], { dtype: 'float64', generator: new Generator(4) });
    const y = labels(3, 0, 2);
    const probs = y.oneHot(4).to('float64');
    close(F.crossEntropy(x, probs).item(), F.crossEntropy(x, y).item());
    close(
      F.crossEntropy(x, probs, { labelSmoothing: 0.2 }).item(),
      F.crossEntropy(x, y, { labelSmoothing: 0.2 }).item(),
    );
  });

  it('logits losses stay finite, with finite gradients, for huge scores', () => {
    const x = tensor([1000, -1000, 30, -30], { requiresGrad: true });
    const t = tensor([0, 1, 1, 0]);
    const loss = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    const v = loss.toTypedArray();
    assert.deepEqual([v[0], v[1]], [1000, 1000]);
    close(v[2]!, Math.log1p(Math.exp(-30)), 1e-12);
    loss.sum().backward();
    // d/dx = σ(x) − t
    [1, -1, 0, 0].forEach((expected, i) => close(x.grad!.toTypedArray()[i]!, expected, 1e-6));
    const big = tensor([-200, 0, 200], { requiresGrad: true });
    F.crossEntropy(big.unsqueeze(0), labels(0)).backward();
    assert.ok([...big.grad!.toTypedArray()].every(Number.isFinite));
  });

  it('activations have finite gradients for large inputs (no 0·∞ in the branch not taken)', () => {
    for (const [name, f] of [
      ['elu', (x: Tensor) => F.elu(x)],
      ['softplus', (x: Tensor) => F.softplus(x)],
      ['logSigmoid', (x: Tensor) => F.logSigmoid(x)],
      ['silu', (x: Tensor) => F.silu(x)],
      ['gelu', (x: Tensor) => F.gelu(x)],
    ] as const) {
      const x = tensor([-1000, -100, 100, 1000], { requiresGrad: true });
      const y = f(x);
      assert.ok(
        [...y.toTypedArray()].every((v) => !Number.isNaN(v)),
        `${name} value`,
      );
      y.sum().backward();
      assert.ok(
        [...x.grad!.toTypedArray()].every(Number.isFinite),
        `${name} gradient ${x.grad!.toTypedArray()}`,
      );
    }
  });

  it('gradients at exactly 0 match PyTorch', () => {
    const at0 = (f: (x: Tensor) => Tensor) => {
      const x = tensor([0], { dtype: 'float64', requiresGrad: true });
      f(x).sum().backward();
      return x.grad!.item();
    };
    assert.equal(at0(F.relu), 0);
    assert.equal(
      at0((x) => F.leakyRelu(x, 0.2)),
      0.2,
    );
    assert.equal(
      at0((x) => F.elu(x, 0.5)),
      0.5,
    );
    assert.equal(
      at0((x) => F.gelu(x)),
      0.5,
    );
    assert.equal(
      at0((x) => F.gelu(x, { approximate: 'tanh' })),
      0.5,
    );
    assert.equal(at0(F.silu), 0.5);
    assert.equal(
      at0((x) => F.softplus(x)),
      0.5,
    );
    assert.equal(at0(F.logSigmoid), 0.5);
  });

  it('elu is accurate near 0 (no cancellation in e^x − 1)', () => {
    const y = F.elu(f64([-1e-10, -1e-3])).toTypedArray();
    assert.ok(Math.abs(y[0]! - Math.expm1(-1e-10)) / 1e-10 < 1e-12);
    assert.ok(Math.abs(y[1]! - Math.expm1(-1e-3)) < 1e-17);
  });

  it('KL divergence treats 0·log 0 as 0', () => {
    const logp = f64([[Math.log(0.5), Math.log(0.5)]]);
    const v = F.klDiv(logp, f64([[1, 0]]), { reduction: 'batchmean' }).item();
    close(v, Math.log(2));
  });
});
