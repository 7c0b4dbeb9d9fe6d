/**
 * Module behaviour of the convolution, pooling, batch-norm and channel-dropout layers: output shapes,
 * state-dict names (PyTorch's, so checkpoints load there), initialisation, running statistics, train
 * and eval modes, seeded masks, and errors that name the shapes. Values are checked against naive
 * loops written here; the PyTorch comparisons are in golden-layers.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, gradcheck, noGrad, randn, tensor, zeros, type Tensor } from '../../src/index.js';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Dropout2d,
  Flatten,
  functional as F,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from '../../src/nn/index.js';

const gen = new Generator(4321);
const normal = (shape: number[], dtype: 'float32' | 'float64' = 'float64') =>
  randn(shape, { dtype, generator: gen });

/** Direct convolution, one output element at a time: the definition, with zero padding [top, left]. */
function naiveConv2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  o: {
    stride: [number, number];
    pad: [number, number];
    dilation: [number, number];
    groups: number;
    out: [number, number];
  },
): number[] {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [cout, cg, kh, kw] = w.shape as [number, number, number, number];
  const xs = x.toTypedArray();
  const ws = w.toTypedArray();
  const bs = b?.toTypedArray();
  const perGroup = cout / o.groups;
  const out: number[] = [];
  for (let s = 0; s < n; s++)
    for (let co = 0; co < cout; co++)
      for (let oy = 0; oy < o.out[0]; oy++)
        for (let ox = 0; ox < o.out[1]; ox++) {
          let acc = bs ? bs[co]! : 0;
          const group = Math.floor(co / perGroup);
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = oy * o.stride[0] - o.pad[0] + i * o.dilation[0];
                const ix = ox * o.stride[1] - o.pad[1] + j * o.dilation[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const cin = group * cg + ci;
                acc += xs[((s * c + cin) * h + iy) * wd + ix]! * ws[((co * cg + ci) * kh + i) * kw + j]!;
              }
          out.push(acc);
        }
  return out;
}

function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)),
      `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`,
    );
  }
}

describe('Conv2d', () => {
  it('matches a direct convolution for stride, padding, dilation, groups and "same", in float64 and float32', () => {
    const cases: {
      name: string;
      args: [number, number, number | [number, number]];
      options: ConstructorParameters<typeof Conv2d>[3];
      input: number[];
      naive: { stride: [number, number]; pad: [number, number]; dilation: [number, number]; groups: number };
    }[] = [
      { name: 'plain 3x3', args: [3, 4, 3], options: {}, input: [2, 3, 6, 7], naive: { stride: [1, 1], pad: [0, 0], dilation: [1, 1], groups: 1 } },
      { name: 'stride 2, padding 1', args: [2, 3, 3], options: { stride: 2, padding: 1 }, input: [2, 2, 7, 6], naive: { stride: [2, 2], pad: [1, 1], dilation: [1, 1], groups: 1 } },
      { name: 'dilation [2, 1], padding [2, 0]', args: [2, 2, [3, 2]], options: { dilation: [2, 1], padding: [2, 0] }, input: [1, 2, 7, 5], naive: { stride: [1, 1], pad: [2, 0], dilation: [2, 1], groups: 1 } },
      { name: 'groups 2, stride [1, 2]', args: [4, 6, 3], options: { groups: 2, stride: [1, 2], padding: 1 }, input: [2, 4, 5, 6], naive: { stride: [1, 2], pad: [1, 1], dilation: [1, 1], groups: 2 } },
      { name: 'depthwise', args: [3, 3, 3], options: { groups: 3, bias: false }, input: [2, 3, 5, 5], naive: { stride: [1, 1], pad: [0, 0], dilation: [1, 1], groups: 3 } },
      // 'same' with a 4x2 kernel pads 1 above and 2 below, 0 left and 1 right.
      { name: "'same', even kernel", args: [2, 3, [4, 2]], options: { padding: 'same' }, input: [1, 2, 5, 6], naive: { stride: [1, 1], pad: [1, 0], dilation: [1, 1], groups: 1 } },
    ]; // prettier-ignore
    for (const dtype of ['float64', 'float32'] as const) {
      for (const k of cases) {
        const conv = new Conv2d(...k.args, { ...k.options, dtype, generator: gen });
        const x = normal(k.input, dtype);
        const y = conv.forward(x);
        const { stride, pad, dilation } = k.naive;
        const [h, w] = [k.input[2]!, k.input[3]!];
        const [kh, kw] = conv.kernelSize;
        const out: [number, number] =
          k.options?.padding === 'same'
            ? [h, w]
            : [
                Math.floor((h + 2 * pad[0] - dilation[0] * (kh - 1) - 1) / stride[0]) + 1,
                Math.floor((w + 2 * pad[1] - dilation[1] * (kw - 1) - 1) / stride[1]) + 1,
              ];
        assert.deepEqual([...y.shape], [k.input[0], k.args[1], ...out], `${k.name}: shape`);
        assert.equal(y.dtype, dtype);
        const expected = naiveConv2d(x, conv.weight, conv.bias, { ...k.naive, out });
        assertAllClose(
          y.toTypedArray(),
          expected,
          dtype === 'float64' ? 1e-12 : 1e-5,
          `${k.name} (${dtype})`,
        );
      }
    }
  });

  it('accepts an unbatched [C, H, W] input', () => {
    const conv = new Conv2d(2, 3, 3, { padding: 1, dtype: 'float64', generator: gen });
    const x = normal([2, 5, 5]);
    const y = conv.forward(x);
    assert.deepEqual([...y.shape], [3, 5, 5]);
    assertAllClose(
      y.toTypedArray(),
      conv.forward(x.unsqueeze(0)).toTypedArray(),
      0,
      'same as a batch of one',
    );
  });

  it("has PyTorch's parameter names and shapes, and no bias when bias is false", () => {
    const conv = new Conv2d(4, 6, [3, 2], { groups: 2 });
    assert.deepEqual(
      Object.entries(conv.stateDict()).map(([k, v]) => [k, [...v.shape]]),
      [
        ['weight', [6, 2, 3, 2]],
        ['bias', [6]],
      ],
    );
    assert.deepEqual(Object.keys(new Conv2d(3, 4, 3, { bias: false }).stateDict()), ['weight']);
    const model = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Conv2d(2, 2, 1));
    assert.deepEqual(Object.keys(model.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('initialises as PyTorch: weight and bias in ±1/√(inChannels/groups·kH·kW), reproducible with a generator', () => {
    const conv = new Conv2d(8, 16, 3, { groups: 2, generator: new Generator(5) });
    const bound = 1 / Math.sqrt((8 / 2) * 3 * 3);
    for (const p of [conv.weight, conv.bias!]) {
      const values = Array.from(p.toTypedArray());
      assert.ok(values.every((v) => Math.abs(v) <= bound));
      assert.ok(Math.max(...values.map(Math.abs)) > 0.8 * bound, 'uses the whole range');
    }
    // U(−b, b) has variance b²/3.
    const w = Array.from(conv.weight.toTypedArray());
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    assert.ok(Math.abs(variance / ((bound * bound) / 3) - 1) < 0.15, `variance ${variance}`);
    const again = new Conv2d(8, 16, 3, { groups: 2, generator: new Generator(5) });
    assert.deepEqual(again.weight.toArray(), conv.weight.toArray());
  });

  it('trains: gradients reach the weight, bias and input', () => {
    const conv = new Conv2d(2, 3, 3, { stride: 2, padding: 1, dtype: 'float64', generator: gen });
    const x = normal([2, 2, 5, 5]).requiresGrad_();
    conv.forward(x).square().sum().backward();
    assert.deepEqual([...conv.weight.grad!.shape], [3, 2, 3, 3]);
    assert.deepEqual([...conv.bias!.grad!.shape], [3]);
    assert.deepEqual([...x.grad!.shape], [2, 2, 5, 5]);
  });

  it('names the shapes in its errors', () => {
    assert.throws(
      () => new Conv2d(3, 4, 3).forward(zeros([2, 4, 8, 8])),
      (e: Error) => e.message === 'Conv2d: expected input with 3 channels, got [2, 4, 8, 8]',
    );
    assert.throws(
      () => new Conv2d(3, 4, 3).forward(zeros([2, 3])),
      /Conv2d: expected a 4-D input .* got \[2, 3\]/,
    );
    assert.throws(
      () => new Conv2d(3, 4, 5).forward(zeros([1, 3, 3, 3])),
      /conv2d: the kernel 5x5 .* is larger than the padded input 3x3 \(input \[1, 3, 3, 3\], padding \[0, 0, 0, 0\]\)/,
    );
    assert.throws(
      () => new Conv2d(3, 4, 3, { dilation: 2, padding: 1 }).forward(zeros([1, 3, 2, 2])),
      /spanning 5x5 with dilation \[2, 2\]\) is larger than the padded input 4x4/,
    );
    assert.throws(
      () => new Conv2d(3, 4, 3, { groups: 2 }),
      /groups must be a positive integer dividing inChannels 3/,
    );
    assert.throws(() => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 }), /'same' needs stride 1/);
    assert.throws(() => new Conv2d(3, 4, 0), /kernelSize must be an integer ≥ 1/);
    assert.throws(() => new Conv2d(3, 4, [3, 3, 3]), /kernelSize must be .* a pair/);
    assert.throws(
      () => new Conv2d(3, 4, 3, { paddingMode: 'reflect' as 'zeros' }),
      /only paddingMode 'zeros'/,
    );
    assert.throws(
      () => F.conv2d(zeros([1, 4, 5, 5]), zeros([6, 2, 3, 3]), zeros([5]), { groups: 2 }),
      /bias must have shape \[6\], got \[5\]/,
    );
  });

  it('prints its settings', () => {
    assert.equal(
      new Conv2d(1, 32, 3, { padding: 1 }).toString(),
      'Conv2d(1, 32, kernelSize=[3, 3], stride=[1, 1], padding=[1, 1])',
    );
    assert.equal(
      new Conv2d(4, 4, [3, 2], { padding: 'same', groups: 4, bias: false }).toString(),
      "Conv2d(4, 4, kernelSize=[3, 2], stride=[1, 1], padding='same', groups=4, bias=false)",
    );
  });
});

describe('pooling layers', () => {
  it('MaxPool2d: shapes, stride defaulting to the kernel, padding, ceil mode', () => {
    const x = normal([2, 3, 7, 6]);
    assert.deepEqual([...new MaxPool2d(2).forward(x).shape], [2, 3, 3, 3]);
    assert.deepEqual([...new MaxPool2d(2, { ceilMode: true }).forward(x).shape], [2, 3, 4, 3]);
    assert.deepEqual([...new MaxPool2d(3, { stride: 2, padding: 1 }).forward(x).shape], [2, 3, 4, 3]);
    assert.deepEqual([...new MaxPool2d([2, 3], { stride: 1, dilation: 2 }).forward(x).shape], [2, 3, 5, 2]);
    assert.deepEqual([...new MaxPool2d(2).forward(normal([3, 4, 4])).shape], [3, 2, 2], 'unbatched');
  });

  // One line per tensor reads as the picture it is; prettier would spread each over a dozen lines.
  // prettier-ignore
  it("maxPool2d takes the window maximum, and maxPool2dWithIndices gives PyTorch's per-plane flat indices", () => {
    const x = tensor([[[
      [1, 5, 2, 0],
      [3, 4, 9, 1],
      [7, 0, 6, 8],
      [2, 2, 1, 3],
    ]]], { dtype: 'float64' });
    const { values, indices } = F.maxPool2dWithIndices(x, 2);
    assert.deepEqual(values.toArray(), [[[[5, 9], [7, 8]]]]);
    assert.deepEqual(indices.toArray(), [[[[1, 6], [8, 11]]]]);
    // With padding, windows start outside the image; padding never wins, even over negative values.
    const padded = F.maxPool2dWithIndices(x.neg(), 3, { stride: 2, padding: 1 });
    assert.deepEqual(padded.values.add(0).toArray(), [[[[-1, 0], [0, 0]]]]); // −0 + 0 = 0
    assert.deepEqual(padded.indices.toArray(), [[[[0, 3], [9, 9]]]]);
    // A window whose real pixels are all −∞ points at its first real pixel (as PyTorch), never the padding.
    const allInf = F.maxPool2dWithIndices(tensor([[[[-Infinity, -Infinity], [-Infinity, -Infinity]]]]), 2, { padding: 1 });
    assert.deepEqual(allInf.indices.toArray(), [[[[0, 1], [2, 3]]]]);
  });

  // prettier-ignore
  it('maxPool2d sends the gradient to the first maximum of each window, accumulating over overlaps', () => {
    const x = tensor([[[[1, 3, 3], [0, 2, 1], [4, 0, 4]]]], { dtype: 'float64', requiresGrad: true });
    F.maxPool2d(x, 2, { stride: 1 }).sum().backward();
    // Windows: [1,3;0,2] -> 3 at (0,1); [3,3;2,1] -> first 3 at (0,1); [0,2;4,0] -> 4 at (2,0); [2,1;0,4] -> 4 at (2,2).
    assert.deepEqual(x.grad!.toArray(), [[[[0, 2, 0], [0, 0, 0], [1, 0, 1]]]]);
  });

  // prettier-ignore
  it('AvgPool2d: countIncludePad, ceilMode and divisorOverride', () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], { dtype: 'float64' });
    assert.deepEqual(new AvgPool2d(2, { stride: 1 }).forward(x).toArray(), [[[[3, 4], [6, 7]]]]);
    // Padding 1, kernel 2, stride 2: the corner window holds one real pixel and three zeros.
    assert.deepEqual(new AvgPool2d(2, { padding: 1 }).forward(x).toArray(), [[[[0.25, 1.25], [2.75, 7]]]]);
    assert.deepEqual(new AvgPool2d(2, { padding: 1, countIncludePad: false }).forward(x).toArray(), [[[[1, 2.5], [5.5, 7]]]]);
    // ceilMode adds a last window that hangs over the edge; it is divided by its size inside the padded input.
    assert.deepEqual(new AvgPool2d(2, { ceilMode: true }).forward(x).toArray(), [[[[3, 4.5], [7.5, 9]]]]);
    assert.deepEqual(new AvgPool2d(2, { stride: 1, divisorOverride: 2 }).forward(x).toArray(), [[[[6, 8], [12, 14]]]]);
  });

  it('AdaptiveAvgPool2d: global pooling, uneven overlapping bins, null keeping a dimension', () => {
    const x = normal([2, 3, 5, 7]);
    const global = new AdaptiveAvgPool2d(1).forward(x);
    assert.deepEqual([...global.shape], [2, 3, 1, 1]);
    assertAllClose(global.toTypedArray(), x.mean([2, 3]).toTypedArray(), 1e-12, 'mean over H and W');
    const binned = new AdaptiveAvgPool2d([2, 3]).forward(x);
    // Row bins [0, 3) and [2, 5); column bins [0, 3), [2, 5), [4, 7).
    const expected = x.slice(2, 2, 5).slice(3, 4, 7).mean([2, 3]);
    assertAllClose(
      binned.index(null, null, 1, 2).toTypedArray(),
      expected.toTypedArray(),
      1e-12,
      'the last bin',
    );
    assert.deepEqual([...new AdaptiveAvgPool2d([3, null]).forward(x).shape], [2, 3, 3, 7]);
  });

  it('names the problem in pooling errors', () => {
    assert.throws(
      () => new MaxPool2d(2, { padding: 2 }),
      /MaxPool2d: padding \[2, 2\] must be at most half the kernel size/,
    );
    assert.throws(
      () => F.avgPool2d(zeros([1, 1, 4, 4]), 2, { padding: 2 }),
      /avgPool2d: padding .* at most half/,
    );
    assert.throws(() => new AvgPool2d(2, { stride: 0 }), /AvgPool2d: stride must be an integer ≥ 1/);
    assert.throws(
      () => new MaxPool2d(3).forward(zeros([1, 1, 2, 5])),
      /maxPool2d: the input \[1, 1, 2, 5\] is too small for a 3x3 window/,
    );
    assert.throws(() => new AvgPool2d(2).forward(zeros([4, 4])), /expected a 4-D input .* got \[4, 4\]/);
    assert.throws(
      () => F.maxPool2d(tensor(Int32Array.from([1, 2, 3, 4]), { shape: [1, 1, 2, 2] }), 2),
      /needs a floating input, got int32/,
    );
    assert.throws(
      () => new AdaptiveAvgPool2d(0).forward(zeros([1, 1, 4, 4])),
      /outputSize must be a positive integer/,
    );
    assert.throws(
      () => F.avgPool2d(zeros([1, 1, 4, 4]), 2, { divisorOverride: 0 }),
      /divisorOverride must be positive/,
    );
  });

  it('has no parameters or state', () => {
    for (const m of [new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d(1)])
      assert.deepEqual(Object.keys(m.stateDict()), []);
  });
});

describe('BatchNorm1d and BatchNorm2d', () => {
  it("state dict uses PyTorch's names: weight, bias, running_mean, running_var, num_batches_tracked", () => {
    const bn = new BatchNorm2d(3);
    const state = bn.stateDict();
    assert.deepEqual(Object.keys(state), [
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    assert.deepEqual(
      Object.values(state).map((t) => [t.dtype, [...t.shape]]),
      [
        ['float32', [3]],
        ['float32', [3]],
        ['float32', [3]],
        ['float32', [3]],
        ['int32', []],
      ],
    );
    assert.deepEqual(bn.parameters().length, 2, 'buffers are not parameters');
    // The camelCase accessors read the same tensors.
    assert.equal(bn.runningMean, bn.running_mean);
    assert.equal(bn.runningVar, bn.running_var);
    assert.equal(bn.numBatchesTracked, bn.num_batches_tracked);
    assert.deepEqual(Object.keys(new BatchNorm1d(4, { affine: false }).stateDict()), [
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    assert.deepEqual(Object.keys(new BatchNorm1d(4, { trackRunningStats: false }).stateDict()), [
      'weight',
      'bias',
    ]);
  });

  it('training normalises with the biased batch variance and updates the running statistics (unbiased variance)', () => {
    const bn = new BatchNorm2d(3, { dtype: 'float64' });
    const x = normal([4, 3, 2, 5]).mul(2).add(1);
    const y = bn.forward(x);
    const mean = x.mean([0, 2, 3]);
    const biased = x.var([0, 2, 3], { unbiased: false });
    const unbiased = x.var([0, 2, 3]);
    const expected = x.sub(mean.reshape([1, 3, 1, 1])).div(biased.add(1e-5).sqrt().reshape([1, 3, 1, 1]));
    assertAllClose(y.toTypedArray(), expected.toTypedArray(), 1e-12, 'output');
    assertAllClose(bn.running_mean!.toTypedArray(), mean.mul(0.1).toTypedArray(), 1e-12, 'running_mean');
    assertAllClose(
      bn.running_var!.toTypedArray(),
      unbiased.mul(0.1).add(0.9).toTypedArray(),
      1e-12,
      'running_var',
    );
    assert.equal(bn.num_batches_tracked!.item(), 1);
    bn.forward(x);
    assert.equal(bn.num_batches_tracked!.item(), 2);
  });

  it('momentum null keeps the cumulative average of the batch statistics', () => {
    const bn = new BatchNorm1d(2, { momentum: null, dtype: 'float64' });
    const batches = [normal([5, 2]), normal([5, 2]).add(3), normal([5, 2]).mul(0.5)];
    for (const b of batches) bn.forward(b);
    const meanOfMeans = batches
      .map((b) => b.mean(0))
      .reduce((a, b) => a.add(b))
      .div(3);
    assertAllClose(bn.running_mean!.toTypedArray(), meanOfMeans.toTypedArray(), 1e-12, 'running_mean');
    assert.equal(bn.num_batches_tracked!.item(), 3);
  });

  it('evaluation uses the running statistics and leaves them alone', () => {
    const bn = new BatchNorm1d(3, { dtype: 'float64' });
    noGrad(() => {
      bn.running_mean!.copy_(tensor([1, -1, 0.5], { dtype: 'float64' }));
      bn.running_var!.copy_(tensor([4, 0.25, 1], { dtype: 'float64' }));
      bn.weight!.copy_(tensor([2, 1, 1], { dtype: 'float64' }));
      bn.bias!.copy_(tensor([0, 0, 1], { dtype: 'float64' }));
    });
    bn.eval();
    const x = normal([6, 3, 4]);
    const y = bn.forward(x);
    const expected = x
      .sub(tensor([1, -1, 0.5], { dtype: 'float64' }).reshape([1, 3, 1]))
      .div(tensor([4, 0.25, 1], { dtype: 'float64' }).add(1e-5).sqrt().reshape([1, 3, 1]))
      .mul(tensor([2, 1, 1], { dtype: 'float64' }).reshape([1, 3, 1]))
      .add(tensor([0, 0, 1], { dtype: 'float64' }).reshape([1, 3, 1]));
    assertAllClose(y.toTypedArray(), expected.toTypedArray(), 1e-12, 'eval output');
    assert.deepEqual(Array.from(bn.running_mean!.toTypedArray()), [1, -1, 0.5]);
    assert.equal(bn.num_batches_tracked!.item(), 0);
    // A single sample is fine in evaluation.
    assert.deepEqual([...bn.forward(normal([1, 3])).shape], [1, 3]);
  });

  it('without running statistics it uses batch statistics in evaluation too', () => {
    const bn = new BatchNorm1d(2, { trackRunningStats: false, affine: false, dtype: 'float64' });
    const x = normal([8, 2]);
    const train = bn.forward(x);
    const evaluated = bn.eval().forward(x);
    assertAllClose(evaluated.toTypedArray(), train.toTypedArray(), 0, 'same output');
    assert.equal(bn.running_mean, null);
  });

  it('gradients reach the input, weight and bias; the buffers never require grad', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    const x = normal([3, 2, 2, 2]).requiresGrad_();
    bn.forward(x)
      .mul(normal([3, 2, 2, 2]))
      .sum()
      .backward();
    assert.ok(x.grad && bn.weight!.grad && bn.bias!.grad);
    assert.equal(bn.running_mean!.requiresGrad, false);
  });

  it('round-trips through the state dict, and double() converts the statistics but not the counter', () => {
    const a = new BatchNorm2d(3);
    a.forward(normal([4, 3, 2, 2], 'float32'));
    const b = new BatchNorm2d(3);
    b.loadStateDict(a.stateDict());
    assert.deepEqual(b.running_var!.toArray(), a.running_var!.toArray());
    assert.equal(b.num_batches_tracked!.item(), 1);
    b.double();
    assert.equal(b.running_mean!.dtype, 'float64');
    assert.equal(b.num_batches_tracked!.dtype, 'int32');
    b.resetRunningStats();
    assert.deepEqual(Array.from(b.running_var!.toTypedArray()), [1, 1, 1]);
    assert.equal(b.num_batches_tracked!.item(), 0);
  });

  it('names the shapes in its errors', () => {
    assert.throws(
      () => new BatchNorm2d(3).forward(zeros([2, 3, 4])),
      /BatchNorm2d: expected a 4-D input \[N, C, H, W\], got \[2, 3, 4\]/,
    );
    assert.throws(
      () => new BatchNorm1d(3).forward(zeros([2, 3, 4, 4])),
      /BatchNorm1d: expected a 2-D \[N, C\] or 3-D/,
    );
    assert.throws(
      () => new BatchNorm1d(3).forward(zeros([2, 4])),
      /BatchNorm1d: expected input with 3 channels, got \[2, 4\]/,
    );
    assert.throws(
      () => new BatchNorm1d(3).forward(zeros([1, 3])),
      /expected more than 1 value per channel when training, got input \[1, 3\]/,
    );
    assert.throws(() => new BatchNorm1d(3, { momentum: 2 }), /momentum must be in \[0, 1\] or null/);
    assert.throws(
      () => F.batchNorm(zeros([2, 3]), null, null),
      /evaluation mode needs runningMean and runningVar/,
    );
  });

  it('prints its settings', () => {
    assert.equal(
      new BatchNorm2d(16).toString(),
      'BatchNorm2d(16, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)',
    );
  });
});

describe('Dropout2d', () => {
  it('zeroes whole channels and scales the rest by 1/(1 − p), reproducibly with a seeded generator', () => {
    const x = randn([4, 50, 3, 3], { generator: gen }).abs().add(0.1); // no zeros of its own
    const y = new Dropout2d(0.3, { generator: new Generator(11) }).forward(x);
    const again = new Dropout2d(0.3, { generator: new Generator(11) }).forward(x);
    assert.deepEqual(y.toArray(), again.toArray());
    const xs = x.toTypedArray();
    const ys = y.toTypedArray();
    let dropped = 0;
    for (let plane = 0; plane < 200; plane++) {
      const values = Array.from(ys.subarray(plane * 9, plane * 9 + 9));
      const zero = values.every((v) => v === 0);
      if (zero) dropped++;
      else values.forEach((v, k) => assert.ok(Math.abs(v - xs[plane * 9 + k]! / 0.7) < 1e-5));
    }
    assert.ok(dropped > 200 * 0.3 - 25 && dropped < 200 * 0.3 + 25, `dropped ${dropped} of 200 channels`);
  });

  it('is the identity in evaluation and for p = 0; p = 1 zeroes everything', () => {
    const x = normal([2, 3, 4, 4], 'float32');
    assert.equal(new Dropout2d(0.5).eval().forward(x), x);
    assert.equal(new Dropout2d(0).forward(x), x);
    assert.ok(
      new Dropout2d(1)
        .forward(x)
        .toTypedArray()
        .every((v) => v === 0),
    );
  });

  it('accepts unbatched [C, H, W] input and refuses other ranks and bad probabilities', () => {
    const y = new Dropout2d(0.5, { generator: new Generator(1) }).forward(normal([6, 2, 2]));
    assert.deepEqual([...y.shape], [6, 2, 2]);
    assert.throws(() => new Dropout2d(0.5).forward(zeros([2, 3])), /expected a 4-D .* got \[2, 3\]/);
    assert.throws(() => new Dropout2d(1.5), /p must be a probability in \[0, 1\], got 1.5/);
  });
});

describe('gradcheck on each new layer (float64, parameters included)', () => {
  const layers: [string, () => { module: Module; input: number[] }][] = [
    ['Conv2d stride 2, padding 1, dilation [1, 2]', () => ({ module: new Conv2d(2, 3, 3, { stride: 2, padding: 1, dilation: [1, 2], dtype: 'float64', generator: gen }), input: [2, 2, 5, 6] })],
    ["Conv2d groups 2, 'same'", () => ({ module: new Conv2d(4, 2, [2, 3], { groups: 2, padding: 'same', dtype: 'float64', generator: gen }), input: [1, 4, 4, 5] })],
    ['MaxPool2d 3, stride 2, padding 1, ceilMode', () => ({ module: new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), input: [2, 2, 6, 5] })],
    ['AvgPool2d 3, stride 2, padding 1, countIncludePad false', () => ({ module: new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), input: [2, 2, 5, 5] })],
    ['AdaptiveAvgPool2d [2, 3]', () => ({ module: new AdaptiveAvgPool2d([2, 3]), input: [2, 2, 5, 7] })],
    ['BatchNorm1d train, [N, C, L]', () => ({ module: new BatchNorm1d(3, { dtype: 'float64' }), input: [4, 3, 2] })],
    ['BatchNorm2d train', () => ({ module: new BatchNorm2d(2, { dtype: 'float64' }), input: [3, 2, 2, 2] })],
    ['BatchNorm2d eval', () => ({ module: new BatchNorm2d(2, { dtype: 'float64' }).eval(), input: [3, 2, 2, 2] })],
  ]; // prettier-ignore
  for (const [name, make] of layers) {
    it(name, () => {
      const { module, input } = make();
      const x = normal(input).requiresGrad_();
      assert.ok(gradcheck((t) => module.forward(t), [x, ...module.parameters()]));
    });
  }
});

describe('a small CNN end to end', () => {
  it('Conv-ReLU-MaxPool twice, then Linear: shapes and a gradient for every parameter', () => {
    const g = new Generator(3);
    const model = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, generator: g }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(4, 8, 3, { padding: 1, generator: g }),
      new BatchNorm2d(8),
      new ReLU(),
      new MaxPool2d(2),
      new Dropout2d(0.1, { generator: g }),
      new Flatten(),
      new Linear(8 * 7 * 7, 10, { generator: g }),
    );
    const x = randn([3, 1, 28, 28], { generator: g });
    const logits = model.forward(x);
    assert.deepEqual([...logits.shape], [3, 10]);
    F.crossEntropy(logits, tensor(Int32Array.from([1, 4, 9]))).backward();
    for (const [name, p] of model.namedParameters()) assert.ok(p.grad, `${name} has a gradient`);
    assert.deepEqual(Object.keys(model.stateDict()), [
      '0.weight',
      '0.bias',
      '3.weight',
      '3.bias',
      '4.weight',
      '4.bias',
      '9.weight',
      '9.bias',
      '4.running_mean',
      '4.running_var',
      '4.num_batches_tracked',
    ]);
  });
});
