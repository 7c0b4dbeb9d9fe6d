/**
 * Float64 finite-difference gradient checks for every activation, every loss (inputs kept away from
 * the kinks, where a one-sided derivative is a convention rather than a limit) and the layers.
 */
import { describe, it } from 'node:test';

import { Generator, gradcheck, randn, rand, tensor, type Tensor } from '../../src/index.js';
import { Embedding, functional as F, LayerNorm, Linear } from '../../src/nn/index.js';

const gen = new Generator(1234);
/** Standard normal float64 values whose magnitude is at least `margin` (away from the kink at 0). */
function awayFromZero(shape: number[], margin = 0.1): Tensor {
  const x = randn(shape, { dtype: 'float64', generator: gen });
  const data = x._data;
  for (let i = 0; i < data.length; i++)
    if (Math.abs(data[i]!) < margin) data[i] = data[i]! < 0 ? -margin : margin;
  return x.requiresGrad_();
}
const normal = (shape: number[], requiresGrad = true) =>
  randn(shape, { dtype: 'float64', generator: gen }).requiresGrad_(requiresGrad);
const probabilities = (shape: number[], requiresGrad = false) => {
  const p = rand(shape, { dtype: 'float64', generator: gen });
  return p.mul(0.9).add(0.05).detach().requiresGrad_(requiresGrad);
};
const labels = (...v: number[]) => tensor(Int32Array.from(v), { shape: [v.length] });

describe('gradcheck: activations', () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['relu', F.relu],
    ['leakyRelu', (x) => F.leakyRelu(x, 0.2)],
    ['elu', (x) => F.elu(x, 0.7)],
    ['gelu', (x) => F.gelu(x)],
    ['gelu tanh', (x) => F.gelu(x, { approximate: 'tanh' })],
    ['silu', F.silu],
    ['sigmoid', F.sigmoid],
    ['tanh', F.tanh],
    ['softplus', (x) => F.softplus(x)],
    ['softplus beta 2 threshold 1', (x) => F.softplus(x, { beta: 2, threshold: 1 })],
    ['logSigmoid', F.logSigmoid],
    ['softmax', (x) => F.softmax(x, -1)],
    ['softmax dim 0', (x) => F.softmax(x, 0)],
    ['logSoftmax', (x) => F.logSoftmax(x, 1)],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      // Softplus with threshold 1 switches branch at beta·x = 1: keep x away from 0.5 too.
      const x = awayFromZero([3, 5]);
      if (name.includes('threshold'))
        x._data.forEach((v, i) => Math.abs(v - 0.5) < 0.1 && (x._data[i] = 0.7));
      gradcheck(f, [x]);
    });
  }
});

describe('gradcheck: losses', () => {
  it('crossEntropy (mean, sum, none, weights, ignoreIndex, smoothing, probabilities, K-dim)', () => {
    const y = labels(0, 3, 1, 3, 2);
    const weight = [0.2, 1, 2.5, 0.7];
    gradcheck((x) => F.crossEntropy(x, y), [normal([5, 4])]);
    gradcheck((x) => F.crossEntropy(x, y, { reduction: 'sum' }), [normal([5, 4])]);
    gradcheck((x) => F.crossEntropy(x, y, { reduction: 'none' }), [normal([5, 4])]);
    gradcheck(
      (x) => F.crossEntropy(x, labels(0, -100, 1, 3, 2), { weight, labelSmoothing: 0.2 }),
      [normal([5, 4])],
    );
    const probs = F.softmax(normal([5, 4], false), 1);
    gradcheck((x) => F.crossEntropy(x, probs, { weight, labelSmoothing: 0.1 }), [normal([5, 4])]);
    const kdim = tensor(Int32Array.of(0, 1, 3, 2, 2, 0), { shape: [2, 3] });
    gradcheck((x) => F.crossEntropy(x, kdim), [normal([2, 4, 3])]);
  });

  it('nllLoss', () => {
    gradcheck((x) => F.nllLoss(x, labels(0, 3, 1), { weight: [1, 0.5, 2, 1.5] }), [normal([3, 4])]);
  });

  it('mseLoss, l1Loss, smoothL1Loss, huberLoss', () => {
    const t = normal([3, 4], false);
    const diffAway = (margins: number[]) => {
      // input = target + d with |d| away from 0 and from each threshold.
      const d = awayFromZero([3, 4], 0.15).detach();
      const data = d._data;
      for (let i = 0; i < data.length; i++)
        for (const m of margins)
          if (Math.abs(Math.abs(data[i]!) - m) < 0.1) data[i] = Math.sign(data[i]!) * (m + 0.2);
      return t.add(d).detach().requiresGrad_();
    };
    gradcheck((x) => F.mseLoss(x, t), [normal([3, 4])]);
    gradcheck((x) => F.mseLoss(x, t, { reduction: 'sum' }), [normal([3, 4])]);
    gradcheck((x) => F.l1Loss(x, t), [diffAway([])]);
    gradcheck((x) => F.smoothL1Loss(x, t, { beta: 0.5 }), [diffAway([0.5])]);
    gradcheck((x) => F.huberLoss(x, t, { delta: 2, reduction: 'none' }), [diffAway([2])]);
  });

  it('binaryCrossEntropy and binaryCrossEntropyWithLogits (weight, posWeight)', () => {
    const t = probabilities([3, 4]);
    gradcheck((x) => F.binaryCrossEntropy(x, t, { weight: [1, 2, 3, 4] }), [probabilities([3, 4], true)]);
    gradcheck((x) => F.binaryCrossEntropyWithLogits(x, t), [normal([3, 4])]);
    gradcheck(
      (x) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: [0.5, 1, 2, 3], weight: [2, 1, 1, 1] }),
      [normal([3, 4])],
    );
  });

  it('klDiv (batchmean, logTarget, gradients for both input and target)', () => {
    const logp = F.logSoftmax(normal([4, 5], false), 1)
      .detach()
      .requiresGrad_();
    const target = F.softmax(normal([4, 5], false), 1)
      .detach()
      .requiresGrad_();
    gradcheck((x, t) => F.klDiv(x, t, { reduction: 'batchmean' }), [logp, target]);
    const logTarget = F.logSoftmax(normal([4, 5], false), 1)
      .detach()
      .requiresGrad_();
    gradcheck((x, t) => F.klDiv(x, t, { reduction: 'sum', logTarget: true }), [logp, logTarget]);
  });
});

describe('gradcheck: layers', () => {
  it('Linear (input, weight and bias; 3-D input)', () => {
    const fc = new Linear(5, 3, { dtype: 'float64', generator: gen });
    gradcheck((x, w, b) => F.linear(x, w, b), [normal([2, 4, 5]), fc.weight, fc.bias!]);
    gradcheck((x) => fc.forward(x), [normal([5])]);
  });

  // No paddingIdx here: its zero gradient is a convention that finite differences cannot see (the
  // padding row does change the output); module.test.ts checks that row.
  it('Embedding (weight, with repeated indices)', () => {
    const emb = new Embedding(6, 3, { dtype: 'float64', generator: gen });
    const idx = tensor(Int32Array.of(1, 0, 4, 4, 2, 0), { shape: [2, 3] });
    gradcheck(() => emb.forward(idx), [emb.weight]);
  });

  it('LayerNorm (input, weight and bias; over one and two dims)', () => {
    const norm = new LayerNorm(4, { dtype: 'float64' });
    const w = normal([4]);
    const b = normal([4]);
    gradcheck((x, w2, b2) => F.layerNorm(x, [4], { weight: w2, bias: b2 }), [normal([2, 3, 4]), w, b]);
    gradcheck((x) => norm.forward(x), [normal([3, 4])]);
    gradcheck((x) => F.layerNorm(x, [3, 4], { eps: 1e-6 }), [normal([2, 3, 4])]);
  });

  it('dropout with a fixed mask', () => {
    gradcheck((x) => F.dropout(x, 0.3, { generator: new Generator(9) }), [normal([4, 5])]);
  });
});
