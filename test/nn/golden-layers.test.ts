/**
 * Every layer, activation, loss, matmul, reduction and broadcasting case of ../shared/golden/layers.json
 * (PyTorch 1.13, float64), reproduced in float64 and float32: forward values, argmax/argmin indices,
 * and the gradient of sum(output · upstream_grad) for every input and parameter. One table maps the
 * torch op name to a builder, and the counts are asserted so that no case silently drops out. Modules
 * with buffers (BatchNorm) get the recorded buffers loaded before the forward, run in the recorded
 * train/eval mode, and have their buffers compared with `buffers_after` in training.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { noGrad, Tensor, type DType } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import {
  assertClose,
  fromGolden,
  loadGolden,
  TOL,
  type GoldenCase,
  type GoldenTensor,
} from '../helpers/golden.js';

const EXPECTED = { total: 102, convPoolNorm: 24 };
/** The convolution, pooling and batch-norm cases, counted separately so that none can drop out. */
const CONV_POOL_NORM = /^(conv2d|maxpool|avgpool|adaptive|batchnorm)/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Options = Record<string, any>;
type Output = Tensor | { values: Tensor; indices: Tensor };
interface Built {
  module?: nn.Module;
  run(inputs: Tensor[]): Output;
}
type Builder = (o: Options, dtype: DType) => Built;

/** A module case: the module's forward on the inputs. */
const layer = (module: nn.Module): Built => ({ module, run: (inputs) => module.forward(...inputs) });
/** A function case: a computation on the inputs, with no parameters. */
const fn = (run: (inputs: Tensor[]) => Output): Built => ({ run });

const BUILDERS: Record<string, Builder> = {
  'torch.nn.Linear': (o, dtype) => layer(new nn.Linear(o.inFeatures, o.outFeatures, { bias: o.bias, dtype })),
  'torch.nn.LayerNorm': (o, dtype) =>
    layer(new nn.LayerNorm(o.normalizedShape, { eps: o.eps, elementwiseAffine: o.elementwiseAffine, dtype })),
  'torch.nn.Embedding': (o, dtype) =>
    layer(new nn.Embedding(o.numEmbeddings, o.embeddingDim, { paddingIdx: o.paddingIdx, dtype })),
  'torch.nn.Conv2d': (o, dtype) =>
    layer(
      new nn.Conv2d(o.inChannels, o.outChannels, o.kernelSize, {
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
        groups: o.groups,
        bias: o.bias,
        dtype,
      }),
    ),
  'torch.nn.MaxPool2d': (o) =>
    layer(
      new nn.MaxPool2d(o.kernelSize, {
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
        ceilMode: o.ceilMode,
      }),
    ),
  'torch.nn.AvgPool2d': (o) =>
    layer(
      new nn.AvgPool2d(o.kernelSize, {
        stride: o.stride,
        padding: o.padding,
        ceilMode: o.ceilMode,
        countIncludePad: o.countIncludePad,
        divisorOverride: o.divisorOverride,
      }),
    ),
  'torch.nn.AdaptiveAvgPool2d': (o) => layer(new nn.AdaptiveAvgPool2d(o.outputSize)),
  'torch.nn.BatchNorm1d': (o, dtype) => layer(new nn.BatchNorm1d(o.numFeatures, batchNormOptions(o, dtype))),
  'torch.nn.BatchNorm2d': (o, dtype) => layer(new nn.BatchNorm2d(o.numFeatures, batchNormOptions(o, dtype))),
  'torch.nn.ReLU': () => layer(new nn.ReLU()),
  'torch.nn.LeakyReLU': (o) => layer(new nn.LeakyReLU(o.negativeSlope)),
  'torch.nn.ELU': (o) => layer(new nn.ELU(o.alpha)),
  'torch.nn.GELU': (o) => layer(new nn.GELU({ approximate: o.approximate })),
  'torch.nn.SiLU': () => layer(new nn.SiLU()),
  'torch.nn.Sigmoid': () => layer(new nn.Sigmoid()),
  'torch.nn.Tanh': () => layer(new nn.Tanh()),
  'torch.nn.Softplus': (o) => layer(new nn.Softplus({ beta: o.beta, threshold: o.threshold })),
  'torch.nn.Softmax': (o) => layer(new nn.Softmax(o.dim)),
  'torch.nn.LogSoftmax': (o) => layer(new nn.LogSoftmax(o.dim)),
  'torch.nn.CrossEntropyLoss': (o) => layer(new nn.CrossEntropyLoss(o)),
  'torch.nn.NLLLoss': (o) => layer(new nn.NLLLoss(o)),
  'torch.nn.MSELoss': (o) => layer(new nn.MSELoss(o)),
  'torch.nn.L1Loss': (o) => layer(new nn.L1Loss(o)),
  'torch.nn.SmoothL1Loss': (o) => layer(new nn.SmoothL1Loss(o)),
  'torch.nn.HuberLoss': (o) => layer(new nn.HuberLoss(o)),
  'torch.nn.BCELoss': (o) => layer(new nn.BCELoss(o)),
  'torch.nn.BCEWithLogitsLoss': (o) => layer(new nn.BCEWithLogitsLoss(o)),
  'torch.nn.KLDivLoss': (o) => layer(new nn.KLDivLoss(o)),
  'torch.matmul': () => fn(([a, b]) => a!.matmul(b!)),
  'torch.sum': (o) => fn(([x]) => x!.sum(o.dim, o.keepdim)),
  'torch.mean': (o) => fn(([x]) => x!.mean(o.dim, o.keepdim)),
  'torch.max': (o) => fn(([x]) => (o.dim === undefined ? x!.max() : x!.max(o.dim, o.keepdim))),
  'torch.min': (o) => fn(([x]) => (o.dim === undefined ? x!.min() : x!.min(o.dim, o.keepdim))),
  'torch.amax': (o) => fn(([x]) => x!.amax(o.dim, o.keepdim)),
  'torch.var': (o) => fn(([x]) => x!.var(o.dim, { unbiased: o.unbiased, keepdim: o.keepdim })),
  'torch.std': (o) => fn(([x]) => x!.std(o.dim, { unbiased: o.unbiased, keepdim: o.keepdim })),
  'torch.logsumexp': (o) => fn(([x]) => x!.logsumexp(o.dim, o.keepdim)),
  'torch.add': () => fn(([a, b]) => a!.add(b!)),
  'torch.sub': () => fn(([a, b]) => a!.sub(b!)),
  'torch.mul': () => fn(([a, b]) => a!.mul(b!)),
  'torch.div': () => fn(([a, b]) => a!.div(b!)),
  'torch.pow': (o) => fn(([a, b]) => (o.exponent === undefined ? a!.pow(b!) : a!.pow(o.exponent as number))),
};

function batchNormOptions(o: Options, dtype: DType): nn.BatchNormOptions {
  return {
    eps: o.eps,
    momentum: o.momentum,
    affine: o.affine,
    trackRunningStats: o.trackRunningStats,
    dtype,
  };
}

/** PyTorch's snake_case keyword arguments as our camelCase options. */
function camelCase(options: Options): Options {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
}

const cases = loadGolden('layers.json');
const convPoolNorm = cases.filter((c) => CONV_POOL_NORM.test(c.name));

function runCase(c: GoldenCase, dtype: 'float64' | 'float32'): void {
  const tol = TOL[dtype];
  const builder = BUILDERS[c.op as string];
  assert.ok(builder, `no builder for ${c.op}`);
  const built = builder(camelCase(c.options), dtype);

  const params: { name: string; shape: number[]; data: number[] }[] = c.params ?? [];
  if (built.module) {
    const own = new Map(built.module.namedParameters());
    assert.deepEqual(
      [...own.keys()],
      params.map((p) => p.name),
      'parameter names (named_parameters order)',
    );
    noGrad(() => {
      for (const p of params) {
        const target = own.get(p.name)!;
        assert.deepEqual([...target.shape], p.shape, `${p.name}: shape`);
        target.copy_(fromGolden(p, dtype));
      }
    });
    // The BatchNorm modules' buffers are loaded from the case; a loss's buffers (weight, pos_weight) come from its options.
    if (c.buffers && c.kind === 'module') {
      const buffers = c.buffers as (GoldenTensor & { name: string })[];
      const ownBuffers = new Map(built.module.namedBuffers());
      assert.deepEqual(
        [...ownBuffers.keys()],
        buffers.map((b) => b.name),
        'buffer names (PyTorch state-dict names)',
      );
      noGrad(() => {
        for (const b of buffers) ownBuffers.get(b.name)!.copy_(fromGolden(b, dtype));
      });
    }
    if (c.mode === 'eval') built.module.eval();
    else if (c.mode === 'train') built.module.train();
  } else {
    assert.equal(params.length, 0, 'a function case has no parameters');
  }

  const inputs = (c.inputs as GoldenTensor[]).map((t) => fromGolden(t, dtype, t.requires_grad === true));
  const result = built.run(inputs);
  const output = result instanceof Tensor ? result : result.values;
  assert.equal(output.dtype, dtype, 'output dtype');
  assertClose(output, c.output, tol, 'output');
  if (c.output_indices) {
    assert.ok(!(result instanceof Tensor), 'the case records indices, so the op must return them');
    assert.deepEqual([...result.indices.shape], c.output_indices.shape, 'indices: shape');
    assert.deepEqual([...result.indices.toTypedArray()], c.output_indices.data, 'indices');
  }

  if (c.buffers_after && built.module) {
    const ownBuffers = new Map(built.module!.namedBuffers());
    for (const expected of c.buffers_after as (GoldenTensor & { name: string })[]) {
      const actual = ownBuffers.get(expected.name)!;
      if (expected.dtype === 'int64')
        assert.deepEqual([...actual.toTypedArray()], expected.data, expected.name);
      else assertClose(actual, expected, tol, `buffer ${expected.name} after the forward`);
    }
  } else if (c.buffers && built.module) {
    // Evaluation leaves the running statistics alone.
    const ownBuffers = new Map(built.module!.namedBuffers());
    for (const b of c.buffers as (GoldenTensor & { name: string })[])
      assertClose(ownBuffers.get(b.name)!, b, tol, `buffer ${b.name} unchanged in ${c.mode} mode`);
  }

  output.mul(fromGolden(c.upstream_grad, dtype)).sum().backward();
  const { input: inputGrads, ...paramGrads } = c.grads as Record<string, GoldenTensor> & {
    input: (GoldenTensor | null)[];
  };
  assert.equal(inputGrads.length, inputs.length, 'one input gradient entry per input');
  inputGrads.forEach((expected, i) => {
    if (expected === null) {
      assert.equal(inputs[i]!.grad, null, `input ${i} needs no gradient`);
      return;
    }
    assert.ok(inputs[i]!.grad, `input ${i} got no gradient`);
    assertClose(inputs[i]!.grad!, expected, tol, `grad of input ${i}`);
  });
  const own = new Map(built.module?.namedParameters() ?? []);
  assert.deepEqual(Object.keys(paramGrads).sort(), [...own.keys()].sort(), 'a gradient for every parameter');
  for (const [name, expected] of Object.entries(paramGrads)) {
    const grad = own.get(name)!.grad;
    assert.ok(grad, `${name} got no gradient`);
    assertClose(grad, expected, tol, `grad of ${name}`);
  }
}

describe('golden layers.json', () => {
  it(`has ${EXPECTED.total} cases, ${EXPECTED.convPoolNorm} of them conv/pool/batchnorm, and a builder for each`, () => {
    assert.equal(cases.length, EXPECTED.total);
    assert.equal(convPoolNorm.length, EXPECTED.convPoolNorm);
    const convPoolNormOps = new Set(convPoolNorm.map((c) => c.op));
    assert.deepEqual([...convPoolNormOps].sort(), [
      'torch.nn.AdaptiveAvgPool2d',
      'torch.nn.AvgPool2d',
      'torch.nn.BatchNorm1d',
      'torch.nn.BatchNorm2d',
      'torch.nn.Conv2d',
      'torch.nn.MaxPool2d',
    ]);
    for (const c of cases) assert.ok(BUILDERS[c.op as string], `${c.name}: no builder for ${c.op}`);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    describe(dtype, () => {
      for (const c of cases) it(c.name, () => runCase(c, dtype));
    });
  }
});
