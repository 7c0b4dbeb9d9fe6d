/**
 * Every differentiable op of the Tensor API, checked against float64 central differences (STYLE.md
 * rule 5). One table: a new op that records a gradient must get a row here, or the coverage test below
 * fails. Inputs are drawn away from the kinks of each op (|x| for abs/relu, bounds for clamp, ties for
 * max), where a finite difference and the one-sided rule legitimately disagree.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { record } from '../../src/autograd/graph.js';
import {
  cat,
  clamp,
  gradcheck,
  matmul,
  linear,
  maximum,
  minimum,
  stack,
  tensor,
  Tensor,
  where,
  type GradcheckOptions,
} from '../../src/index.js';
import { Generator } from '../../src/tensor/random.js';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  batchNorm,
  batchNormTraining,
  conv2d,
  dropout2d,
  maxPool2d,
  maxPool2dWithIndices,
} from '../../src/nn/functional.js';

const rng = new Generator(20240601);

interface InputOptions {
  low?: number;
  high?: number;
  /** Redraw values closer than `margin` to any of these points. */
  awayFrom?: number[];
  margin?: number;
  requiresGrad?: boolean;
}

/** A float64 leaf with uniform values in [low, high], optionally kept away from kinks. */
function input(shape: number[], options: InputOptions = {}): Tensor {
  const { low = -2, high = 2, awayFrom = [], margin = 0.1, requiresGrad = true } = options;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = low + (high - low) * rng.random();
    while (awayFrom.some((p) => Math.abs(v - p) < margin));
    data[i] = v;
  }
  return tensor(data, { shape, requiresGrad });
}
const positive = (shape: number[]) => input(shape, { low: 0.3, high: 2 });
const nonzero = (shape: number[]) => input(shape, { awayFrom: [0], margin: 0.3 });
/** Values away from integers and half-integers, where floor/ceil/round jump. */
const offGrid = (shape: number[]) =>
  input(shape, { low: -3, high: 3, awayFrom: [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3] });
const idx = (values: number[], shape: number[] = [values.length]) =>
  tensor(Int32Array.from(values), { shape });
const mask = (values: boolean[][]) => tensor(values);

interface Case {
  /** The Tensor method (or exported function) under test. */
  op: string;
  name: string;
  inputs: () => Tensor[];
  fn: (...xs: Tensor[]) => Tensor;
  options?: GradcheckOptions;
}

const c = (
  op: string,
  name: string,
  inputs: () => Tensor[],
  fn: Case['fn'],
  options?: GradcheckOptions,
): Case => ({
  op,
  name,
  inputs,
  fn,
  ...(options ? { options } : {}),
});

/** Broadcasting shape pairs used by every binary op. */
const BROADCASTS: [string, number[], number[]][] = [
  ['same shape [2, 3]', [2, 3], [2, 3]],
  ['[2, 3, 1] with [4]', [2, 3, 1], [4]],
  ['[3, 1] with [1, 4]', [3, 1], [1, 4]],
  ['0-d with [2, 3]', [], [2, 3]],
  ['[2, 3] with 0-d', [2, 3], []],
  ['[2, 1, 3] with [4, 1]', [2, 1, 3], [4, 1]],
];

function binaryCases(
  op: string,
  call: (a: Tensor, b: Tensor) => Tensor,
  scalarCall: (a: Tensor) => Tensor,
  makeA: (s: number[]) => Tensor = (s) => input(s),
  makeB: (s: number[]) => Tensor = (s) => input(s),
): Case[] {
  return [
    ...BROADCASTS.map(([name, sa, sb]) => c(op, name, () => [makeA(sa), makeB(sb)], call)),
    c(op, 'with a JS number', () => [makeA([2, 3])], scalarCall),
    c(op, 'only the second input requires grad', () => [makeA([3]).detach(), makeB([2, 3])], call),
  ];
}

/** The inputs of a one-tensor row: a single leaf of `shape`. */
function X(shape: number[] = [2, 3]): () => Tensor[] {
  return () => [input(shape)];
}

// One row per line reads as a table; prettier would spread each row over several lines.
// prettier-ignore
const TABLE: Case[] = [
  // ---- elementwise, binary ----
  ...binaryCases('add', (a, b) => a.add(b), (a) => a.add(2.5)),
  c('add', 'x + x', X(), (x) => x.add(x)),
  ...binaryCases('sub', (a, b) => a.sub(b), (a) => a.sub(-1.5)),
  ...binaryCases('mul', (a, b) => a.mul(b), (a) => a.mul(3)),
  c('mul', 'x * x', X(), (x) => x.mul(x)),
  ...binaryCases('div', (a, b) => a.div(b), (a) => a.div(0.7), undefined, nonzero),
  c('div', 'x / x', () => [nonzero([4])], (x) => x.div(x)),
  ...binaryCases('pow', (a, b) => a.pow(b), (a) => a.pow(3), positive, (s) => input(s, { low: -1.5, high: 1.5 })),
  c('pow', 'scalar exponent 0.5', () => [positive([2, 3])], (x) => x.pow(0.5)),
  c('pow', 'scalar exponent -2', () => [nonzero([2, 3])], (x) => x.pow(-2)),
  c('pow', 'scalar exponent 0', X(), (x) => x.pow(0)),
  c('pow', 'integer exponent 3 on negative bases', X(), (x) => x.pow(3)),
  c('pow', 'JS number base via a 0-d tensor', () => [input([3])], (x) => tensor(2.5, { dtype: 'float64' }).pow(x)),
  c('pow', 'base = exponent', () => [positive([3])], (x) => x.pow(x)),
  ...binaryCases('maximum', (a, b) => a.maximum(b), (a) => a.maximum(0.25)),
  ...binaryCases('minimum', (a, b) => a.minimum(b), (a) => a.minimum(-0.25)),

  // ---- elementwise, unary ----
  c('neg', '[2, 3]', X(), (x) => x.neg()),
  c('exp', '[2, 3]', X(), (x) => x.exp()),
  c('log', 'positive', () => [positive([2, 3])], (x) => x.log()),
  c('log1p', 'x > -0.7', () => [input([2, 3], { low: -0.7, high: 3 })], (x) => x.log1p()),
  c('sqrt', 'positive', () => [positive([2, 3])], (x) => x.sqrt()),
  c('rsqrt', 'positive', () => [positive([2, 3])], (x) => x.rsqrt()),
  c('square', '[2, 3]', X(), (x) => x.square()),
  c('abs', 'away from 0', () => [nonzero([2, 3])], (x) => x.abs()),
  c('sign', 'away from 0 (zero gradient)', () => [nonzero([2, 3])], (x) => x.sign()),
  c('sin', '[2, 3]', () => [input([2, 3], { low: -4, high: 4 })], (x) => x.sin()),
  c('cos', '[2, 3]', () => [input([2, 3], { low: -4, high: 4 })], (x) => x.cos()),
  c('tanh', '[2, 3]', () => [input([2, 3], { low: -3, high: 3 })], (x) => x.tanh()),
  c('sigmoid', '[2, 3]', () => [input([2, 3], { low: -4, high: 4 })], (x) => x.sigmoid()),
  c('relu', 'away from 0', () => [nonzero([2, 3])], (x) => x.relu()),
  c('erf', '[2, 3]', () => [input([2, 3], { low: -2.5, high: 2.5 })], (x) => x.erf()),
  c('reciprocal', 'away from 0', () => [nonzero([2, 3])], (x) => x.reciprocal()),
  c('floor', 'off the integers (zero gradient)', () => [offGrid([2, 3])], (x) => x.floor()),
  c('ceil', 'off the integers (zero gradient)', () => [offGrid([2, 3])], (x) => x.ceil()),
  c('round', 'off the half-integers (zero gradient)', () => [offGrid([2, 3])], (x) => x.round()),
  c('clamp', 'min and max, away from both', () => [input([3, 4], { awayFrom: [-0.5, 0.8] })], (x) => x.clamp(-0.5, 0.8)),
  c('clamp', 'min only', () => [input([3, 4], { awayFrom: [0.2] })], (x) => x.clamp(0.2)),
  c('clamp', 'max only', () => [input([3, 4], { awayFrom: [0.2] })], (x) => x.clamp(null, 0.2)),
  c('where', 'method: same shapes', () => [input([2, 3]), input([2, 3])], (a, b) => a.where(mask([[true, false, true], [false, false, true]]), b)),
  c('where', 'broadcast condition [3], x [2, 1], other [2, 3]', () => [input([2, 1]), input([2, 3])], (a, b) => a.where(tensor([true, false, true]), b)),
  c('where', 'other is a JS number', () => [nonzero([2, 3])], (x) => x.where(x.gt(0), 0.5)),
  // The exported functions behind the methods, in the forms only they allow.
  c('where', 'function: a JS number as the first branch', () => [input([2, 3])], (x) => where(tensor([true, false, false]), 1.5, x)),
  c('maximum', 'function', () => [input([3, 1]), input([4])], (a, b) => maximum(a, b)),
  c('minimum', 'function', () => [input([3, 1]), input([4])], (a, b) => minimum(a, b)),
  c('clamp', 'function', () => [input([3, 4], { awayFrom: [-1, 1] })], (x) => clamp(x, -1, 1)),
  c('matmul', 'function', () => [input([2, 3]), input([3, 2])], (a, b) => matmul(a, b)),

  // ---- reductions ----
  c('sum', 'all', X([2, 3, 4]), (x) => x.sum()),
  c('sum', 'dim 1', X([2, 3, 4]), (x) => x.sum(1)),
  c('sum', 'dims [0, 2], keepdim', X([2, 3, 4]), (x) => x.sum([0, 2], true)),
  c('sum', 'negative dim', X([2, 3, 4]), (x) => x.sum(-1)),
  c('sum', 'of a 0-d tensor', X([]), (x) => x.sum()),
  c('mean', 'all', X([2, 3, 4]), (x) => x.mean()),
  c('mean', 'dim 0, keepdim', X([2, 3, 4]), (x) => x.mean(0, true)),
  c('mean', 'dims [0, 2]', X([2, 3, 4]), (x) => x.mean([0, -1])),
  c('amax', 'all', X([3, 4]), (x) => x.amax()),
  c('amax', 'dim 1', X([3, 4]), (x) => x.amax(1)),
  c('amax', 'dims [0, 2], keepdim', X([2, 3, 4]), (x) => x.amax([0, 2], true)),
  c('amin', 'all', X([3, 4]), (x) => x.amin()),
  c('amin', 'dim -1, keepdim', X([3, 4]), (x) => x.amin(-1, true)),
  c('max', 'all', X([3, 4]), (x) => x.max()),
  c('max', 'dim 1: values', X([3, 4]), (x) => x.max(1).values),
  c('max', 'dim 0, keepdim: values', X([3, 4, 2]), (x) => x.max(0, true).values),
  c('min', 'all', X([3, 4]), (x) => x.min()),
  c('min', 'dim -1: values', X([3, 4]), (x) => x.min(-1).values),
  c('var', 'all, unbiased', X([3, 4]), (x) => x.var()),
  c('var', 'dim 1, biased', X([3, 4]), (x) => x.var(1, { unbiased: false })),
  c('var', 'dims [0, 2], keepdim', X([2, 3, 4]), (x) => x.var([0, 2], { keepdim: true })),
  c('std', 'all, unbiased', X([3, 4]), (x) => x.std()),
  c('std', 'dim 0, biased, keepdim', X([3, 4]), (x) => x.std(0, { unbiased: false, keepdim: true })),
  c('logsumexp', 'dim 1', X([3, 4]), (x) => x.logsumexp(1)),
  c('logsumexp', 'dims [0, 1], keepdim', X([3, 4]), (x) => x.logsumexp([0, 1], true)),
  c('logsumexp', 'large inputs', () => [input([2, 3], { low: 500, high: 504 })], (x) => x.logsumexp(-1)),
  c('norm', 'p = 2 (default), all', X([3, 4]), (x) => x.norm()),
  c('norm', 'p = 1', () => [nonzero([3, 4])], (x) => x.norm(1)),
  c('norm', 'p = Infinity', X([3, 4]), (x) => x.norm(Infinity)),
  c('norm', 'p = -Infinity', () => [nonzero([3, 4])], (x) => x.norm(-Infinity)),
  c('norm', 'p = 3', () => [nonzero([3, 4])], (x) => x.norm(3)),
  c('norm', "'fro'", X([3, 4]), (x) => x.norm('fro')),
  c('norm', 'p = 2, dim 1', X([3, 4]), (x) => x.norm(2, 1)),
  c('norm', 'p = 1, dim 0, keepdim', () => [nonzero([3, 4])], (x) => x.norm(1, 0, true)),
  c('norm', 'p = 3, dim -1', () => [nonzero([3, 4])], (x) => x.norm(3, -1)),
  c('norm', 'p = Infinity, dim 1, keepdim', X([3, 4]), (x) => x.norm(Infinity, 1, true)),
  c('softmax', 'dim 1', X([3, 4]), (x) => x.softmax(1)),
  c('softmax', 'dim 0', X([3, 4]), (x) => x.softmax(0)),
  c('softmax', 'dim -1 of 3-D', X([2, 3, 4]), (x) => x.softmax(-1)),
  c('logSoftmax', 'dim 1', X([3, 4]), (x) => x.logSoftmax(1)),
  c('logSoftmax', 'dim 0 of 3-D', X([2, 3, 4]), (x) => x.logSoftmax(0)),

  // ---- matmul: every 1-D / 2-D / batched combination ----
  c('linear', 'x·Wᵀ + b', () => [input([4, 3]), input([2, 3]), input([2])], (x, w, b) => linear(x, w, b)),
  c('linear', 'no bias, leading dims', () => [input([2, 4, 3]), input([5, 3])], (x, w) => linear(x, w)),
  c('linear', 'a single vector', () => [input([3]), input([2, 3]), input([2])], (x, w, b) => linear(x, w, b)),
  c('matmul', '[3] @ [3] -> 0-d', () => [input([3]), input([3])], (a, b) => a.matmul(b)),
  c('matmul', '[3] @ [3, 4]', () => [input([3]), input([3, 4])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 3] @ [3]', () => [input([2, 3]), input([3])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 3] @ [3, 4]', () => [input([2, 3]), input([3, 4])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 2, 3] @ [3, 4] (broadcast B)', () => [input([2, 2, 3]), input([3, 4])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 3] @ [2, 3, 4] (broadcast A)', () => [input([2, 3]), input([2, 3, 4])], (a, b) => a.matmul(b)),
  c('matmul', '[3] @ [2, 3, 4]', () => [input([3]), input([2, 3, 4])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 3, 4] @ [4]', () => [input([2, 3, 4]), input([4])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 2, 3] @ [2, 3, 4]', () => [input([2, 2, 3]), input([2, 3, 4])], (a, b) => a.matmul(b)),
  c('matmul', '[2, 1, 3, 4] @ [3, 4, 2] (batch broadcast)', () => [input([2, 1, 3, 4]), input([3, 4, 2])], (a, b) => a.matmul(b)),
  c('matmul', '[1, 3, 4] @ [2, 4, 5]', () => [input([1, 3, 4]), input([2, 4, 5])], (a, b) => a.matmul(b)),
  c('matmul', 'x @ x', X([3, 3]), (x) => x.matmul(x)),
  c('matmul', 'only B requires grad', () => [input([2, 3]).detach(), input([3, 4])], (a, b) => a.matmul(b)),

  // ---- convolution, pooling, batch norm (im2col/col2im with matmul, argReduce, reduce) ----
  c('conv2d', 'stride 1, no padding, bias', () => [input([2, 3, 5, 5]), input([4, 3, 3, 3]), input([4])], (x, w, b) => conv2d(x, w, b)),
  c('conv2d', 'stride 2, padding 1', () => [input([1, 2, 6, 5]), input([3, 2, 3, 3]), input([3])], (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 })),
  c('conv2d', 'dilation 2, padding [2, 1], no bias', () => [input([1, 2, 6, 6]), input([2, 2, 3, 2])], (x, w) => conv2d(x, w, null, { dilation: 2, padding: [2, 1] })),
  c('conv2d', 'non-square stride [2, 1]', () => [input([2, 2, 5, 4]), input([2, 2, 3, 2]), input([2])], (x, w, b) => conv2d(x, w, b, { stride: [2, 1] })),
  c('conv2d', 'groups 2', () => [input([2, 4, 4, 4]), input([6, 2, 3, 3]), input([6])], (x, w, b) => conv2d(x, w, b, { groups: 2, padding: 1 })),
  c('conv2d', 'depthwise (groups 3), no bias', () => [input([1, 3, 5, 5]), input([6, 1, 3, 3])], (x, w) => conv2d(x, w, null, { groups: 3 })),
  c('conv2d', "'same' with an even 2x4 kernel and dilation", () => [input([1, 2, 5, 6]), input([2, 2, 2, 4]), input([2])], (x, w, b) => conv2d(x, w, b, { padding: 'same', dilation: [2, 1] })),
  c('conv2d', 'unbatched [C, H, W] input', () => [input([2, 4, 4]), input([3, 2, 2, 2]), input([3])], (x, w, b) => conv2d(x, w, b)),
  c('conv2d', 'only the weight requires grad', () => [input([2, 2, 4, 4], { requiresGrad: false }), input([3, 2, 3, 3])], (x, w) => conv2d(x, w, null, { padding: 1 })),
  c('maxPool2d', 'kernel 2 (stride defaults to the kernel)', X([2, 2, 4, 4]), (x) => maxPool2d(x, 2)),
  c('maxPool2d', 'kernel 3, stride 2, padding 1', X([1, 2, 5, 5]), (x) => maxPool2d(x, 3, { stride: 2, padding: 1 })),
  c('maxPool2d', 'overlapping windows (stride 1) share inputs', X([1, 2, 5, 5]), (x) => maxPool2d(x, 3, { stride: 1 })),
  c('maxPool2d', 'ceilMode, non-square kernel', X([1, 2, 5, 5]), (x) => maxPool2d(x, [2, 3], { stride: 2, ceilMode: true })),
  c('maxPool2d', 'dilation 2', X([1, 1, 6, 6]), (x) => maxPool2d(x, 2, { stride: 1, dilation: 2 })),
  c('maxPool2dWithIndices', 'values', X([1, 2, 4, 4]), (x) => maxPool2dWithIndices(x, 2).values),
  c('avgPool2d', 'kernel 2', X([2, 2, 4, 4]), (x) => avgPool2d(x, 2)),
  c('avgPool2d', 'kernel 3, stride 2, padding 1, countIncludePad', X([1, 2, 5, 5]), (x) => avgPool2d(x, 3, { stride: 2, padding: 1 })),
  c('avgPool2d', 'countIncludePad false, ceilMode', X([1, 2, 5, 5]), (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true })),
  c('avgPool2d', 'divisorOverride 2, overlapping windows', X([1, 1, 4, 5]), (x) => avgPool2d(x, 2, { stride: 1, divisorOverride: 2 })),
  c('adaptiveAvgPool2d', 'to 1x1 (global average, the avgPool2d path)', X([2, 3, 4, 4]), (x) => adaptiveAvgPool2d(x, 1)),
  c('adaptiveAvgPool2d', '5x5 to 2x3 (uneven, overlapping bins)', X([1, 2, 5, 5]), (x) => adaptiveAvgPool2d(x, [2, 3])),
  c('adaptiveAvgPool2d', 'to [3, null] of an unbatched input', X([2, 7, 4]), (x) => adaptiveAvgPool2d(x, [3, null])),
  c('batchNorm', 'train mode [N, C], weight and bias', () => [input([5, 3]), input([3]), input([3])], (x, w, b) => batchNorm(x, null, null, { training: true, weight: w, bias: b })),
  c('batchNorm', 'train mode [N, C, L]', () => [input([3, 2, 4]), input([2]), input([2])], (x, w, b) => batchNorm(x, null, null, { training: true, weight: w, bias: b, eps: 1e-3 })),
  c('batchNorm', 'train mode [N, C, H, W], no affine', X([2, 3, 3, 3]), (x) => batchNorm(x, null, null, { training: true })),
  c('batchNorm', 'eval mode with running statistics', () => [input([4, 3, 2, 2]), input([3]), input([3])], (x, w, b) => batchNorm(x, tensor([0.3, -0.2, 0.1], { dtype: 'float64' }), tensor([0.8, 1.5, 0.6], { dtype: 'float64' }), { weight: w, bias: b })),
  c('batchNormTraining', 'output, [N, C, H, W]', () => [input([3, 2, 2, 3]), input([2]), input([2])], (x, w, b) => batchNormTraining(x, { weight: w, bias: b }).output),
  c('dropout2d', 'a fixed mask (seeded generator)', X([2, 4, 3, 3]), (x) => dropout2d(x, 0.5, { generator: new Generator(7) })),

  // ---- movement ----
  c('reshape', '[2, 3] -> [3, 2]', X(), (x) => x.reshape(3, 2)),
  c('reshape', 'with -1', X([2, 3, 4]), (x) => x.reshape([4, -1])),
  c('view', '[2, 3] -> [6]', X(), (x) => x.view(6)),
  c('flatten', 'all', X([2, 3, 4]), (x) => x.flatten()),
  c('flatten', 'dims 1..2', X([2, 3, 4]), (x) => x.flatten(1, 2)),
  c('permute', '(2, 0, 1)', X([2, 3, 4]), (x) => x.permute(2, 0, 1)),
  c('permute', 'negative dims', X([2, 3, 4]), (x) => x.permute([-1, -3, -2])),
  c('transpose', '(0, 2)', X([2, 3, 4]), (x) => x.transpose(0, 2)),
  c('transpose', '(-1, -2)', X([2, 3, 4]), (x) => x.transpose(-1, -2)),
  c('t', '2-D', X([2, 3]), (x) => x.t()),
  c('squeeze', 'all size-1 dims', X([2, 1, 3, 1]), (x) => x.squeeze()),
  c('squeeze', 'dim 1', X([2, 1, 3]), (x) => x.squeeze(1)),
  c('unsqueeze', 'dim 0', X(), (x) => x.unsqueeze(0)),
  c('unsqueeze', 'dim -1', X(), (x) => x.unsqueeze(-1)),
  c('expand', '[3, 1] -> [2, 3, 4]', X([3, 1]), (x) => x.expand(2, 3, 4)),
  c('expand', 'with -1', X([1, 3]), (x) => x.expand([4, -1])),
  c('expandAs', '[3] as [2, 3]', () => [input([3]), input([2, 3])], (x, y) => x.expandAs(y).mul(y)),
  c('slice', 'dim 1, 0:5:2', X([3, 6]), (x) => x.slice(1, 0, 5, 2)),
  c('slice', 'negative bounds -3:-1', X([5, 2]), (x) => x.slice(0, -3, -1)),
  c('slice', 'step 3, open bounds', X([3, 7]), (x) => x.slice(-1, null, null, 3)),
  c('slice', 'bounds past the end are clipped', X([3, 4]), (x) => x.slice(1, 1, 100)),
  c('narrow', 'dim 1, start 1, length 2', X([3, 4]), (x) => x.narrow(1, 1, 2)),
  c('narrow', 'negative start', X([3, 4]), (x) => x.narrow(-1, -3, 2)),
  c('select', 'dim 0, index -1', X([3, 4]), (x) => x.select(0, -1)),
  c('select', 'dim 1, index 2', X([3, 4]), (x) => x.select(1, 2)),
  c('index', "(0, '1:3')", X([3, 4]), (x) => x.index(0, '1:3')),
  c('index', "(null, '::2')", X([3, 5]), (x) => x.index(null, '::2')),
  c('index', "('-2:', 1)", X([3, 4]), (x) => x.index('-2:', 1)),
  c('flip', 'dim 0', X([3, 4]), (x) => x.flip(0)),
  c('flip', 'dims [0, 2]', X([2, 3, 4]), (x) => x.flip([0, 2])),
  c('gather', 'dim 1, repeated indices', X([3, 4]), (x) => x.gather(1, idx([0, 0, 3, 1, 2, 1, 3, 3, 3], [3, 3]))),
  c('gather', 'dim 0, smaller index', X([3, 4]), (x) => x.gather(0, idx([2, 0, 1, 2, 2, 2], [2, 3]))),
  c('scatterAdd', 'both inputs, repeated indices', () => [input([3, 4]), input([3, 2])], (x, src) => x.scatterAdd(1, idx([0, 0, 3, 1, 2, 2], [3, 2]), src)),
  c('scatterAdd', 'dim 0', () => [input([3, 4]), input([2, 4])], (x, src) => x.scatterAdd(0, idx([2, 0, 1, 2, 1, 1, 0, 0], [2, 4]), src)),
  c('scatterAdd', 'only src requires grad', () => [input([3, 4], { requiresGrad: false }), input([3, 2])], (x, src) => x.scatterAdd(1, idx([3, 3, 0, 1, 2, 0], [3, 2]), src)),
  c('indexSelect', 'dim 0, repeated indices', X([4, 3]), (x) => x.indexSelect(0, idx([3, 0, 3, 3]))),
  c('indexSelect', 'dim 1', X([2, 4, 3]), (x) => x.indexSelect(1, idx([1, 1, 2]))),
  c('cat', 'dim 0', () => [input([2, 3]), input([1, 3])], (a, b) => cat([a, b], 0)),
  c('cat', 'dim 1, three tensors', () => [input([2, 1]), input([2, 3]), input([2, 2])], (a, b, d) => cat([a, b, d], 1)),
  c('cat', 'the same tensor twice', X([2, 2]), (x) => cat([x, x], -1)),
  c('stack', 'dim 0', () => [input([2, 3]), input([2, 3])], (a, b) => stack([a, b])),
  c('stack', 'dim -1', () => [input([2, 3]), input([2, 3])], (a, b) => stack([a, b], -1)),

  // ---- conversion ----
  // Through float32 and back: the round trip costs float32 precision, so the step and tolerance are wider.
  c('to', "to('float32') then to('float64')", X(), (x) => x.to('float32').to('float64'), { eps: 1e-2, atol: 1e-4 }),
  c('to', "to('float64') on a float32 tensor", X(), (x) => x.float().to('float64').mul(x), { eps: 1e-2, atol: 1e-4 }),
  c('float', 'float64 -> float32', X(), (x) => x.float().double(), { eps: 1e-2, atol: 1e-4 }),
  c('double', 'of a float32 tensor', X(), (x) => x.float().double().mul(2), { eps: 1e-2, atol: 1e-4 }),
  c('clone', '[2, 3]', X(), (x) => x.clone().mul(x)),
];

/** Methods of Tensor.prototype that record no gradient, each with the reason. */
const NOT_DIFFERENTIABLE: Record<string, string> = {
  size: 'a number',
  requiresGrad_: 'autograd bookkeeping',
  retainGrad: 'autograd bookkeeping',
  backward: 'autograd bookkeeping',
  detach: 'cuts the graph by definition',
  int: 'integer result',
  bool: 'bool result',
  item: 'a number',
  toArray: 'nested arrays',
  toTypedArray: 'a typed array',
  toString: 'a string',
  checkInPlace: 'private helper of the in-place ops',
  assign: 'private helper of the in-place ops',
  updateInPlace: 'private helper of the in-place ops',
  add_: 'in-place, never recorded',
  sub_: 'in-place, never recorded',
  mul_: 'in-place, never recorded',
  div_: 'in-place, never recorded',
  copy_: 'in-place, never recorded',
  fill_: 'in-place, never recorded',
  zero_: 'in-place, never recorded',
  eq: 'bool result',
  ne: 'bool result',
  lt: 'bool result',
  le: 'bool result',
  gt: 'bool result',
  ge: 'bool result',
  logicalNot: 'bool result',
  logicalAnd: 'bool result',
  logicalOr: 'bool result',
  isNaN: 'bool result',
  isFinite: 'bool result',
  argmax: 'integer result',
  argmin: 'integer result',
  oneHot: 'integer input and result',
};

/** Free functions of the public API that record a gradient and are checked by the table too. */
const FUNCTIONS = [
  'cat',
  'stack',
  'linear',
  'conv2d',
  'maxPool2d',
  'maxPool2dWithIndices',
  'avgPool2d',
  'adaptiveAvgPool2d',
  'batchNorm',
  'batchNormTraining',
  'dropout2d',
];

describe('gradcheck of every differentiable op (float64 central differences)', () => {
  for (const k of TABLE) {
    it(`${k.op}: ${k.name}`, () => {
      const inputs = k.inputs();
      assert.ok(gradcheck(k.fn, inputs, k.options));
    });
  }
});

describe('the gradcheck table covers the Tensor API', () => {
  const methods = Object.getOwnPropertyNames(Tensor.prototype).filter((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(Tensor.prototype, name)!;
    return name !== 'constructor' && typeof descriptor.value === 'function';
  });
  const tabled = new Set(TABLE.map((k) => k.op));

  it('every Tensor method is either in the gradcheck table or listed as non-differentiable', () => {
    const unaccounted = methods.filter((m) => !tabled.has(m) && !(m in NOT_DIFFERENTIABLE));
    assert.deepEqual(
      unaccounted,
      [],
      `add a gradcheck row (or a NOT_DIFFERENTIABLE entry with the reason) for: ${unaccounted.join(', ')}`,
    );
  });

  it('the lists name only real methods and functions, and no method is in both', () => {
    const known = new Set([...methods, ...FUNCTIONS]);
    assert.deepEqual(
      [...tabled].filter((op) => !known.has(op)),
      [],
      'table rows for unknown ops',
    );
    assert.deepEqual(
      Object.keys(NOT_DIFFERENTIABLE).filter((m) => !methods.includes(m)),
      [],
      'stale non-differentiable entries',
    );
    assert.deepEqual(
      Object.keys(NOT_DIFFERENTIABLE).filter((m) => tabled.has(m)),
      [],
      'listed as both',
    );
    for (const f of FUNCTIONS) assert.ok(tabled.has(f), `${f} has a gradcheck row`);
  });

  it('every op in the table records a gradient rule in at least one of its rows', () => {
    const recorded = new Set<string>();
    for (const k of TABLE) {
      const out = k.fn(...k.inputs());
      if (out.gradFn !== null) recorded.add(k.op);
    }
    assert.deepEqual(
      [...tabled].filter((op) => !recorded.has(op)),
      [],
    );
  });

  it('the non-differentiable methods that return tensors record nothing', () => {
    const x = input([2, 3]);
    const probes: Record<string, () => unknown> = {
      detach: () => x.detach(),
      int: () => x.int(),
      bool: () => x.bool(),
      eq: () => x.eq(0),
      ne: () => x.ne(0),
      lt: () => x.lt(0),
      le: () => x.le(0),
      gt: () => x.gt(0),
      ge: () => x.ge(0),
      logicalNot: () => x.logicalNot(),
      logicalAnd: () => x.logicalAnd(x),
      logicalOr: () => x.logicalOr(x),
      isNaN: () => x.isNaN(),
      isFinite: () => x.isFinite(),
      argmax: () => x.argmax(1),
      argmin: () => x.argmin(),
      oneHot: () => idx([0, 2]).oneHot(3),
    };
    for (const [name, probe] of Object.entries(probes)) {
      assert.ok(name in NOT_DIFFERENTIABLE, name);
      const out = probe() as Tensor;
      assert.equal(out.requiresGrad, false, `${name} should not require grad`);
      assert.equal(out.gradFn, null, `${name} should record no gradient rule`);
    }
  });
});

describe('gradcheck itself', () => {
  /** a·b with a deliberately wrong gradient for b at flat element 2. */
  const wrongMul = (a: Tensor, b: Tensor) => {
    const out = a.detach().mul(b.detach());
    return record(out, [a, b], 'wrongMul', (g) => {
      const gb = g.mul(a.detach()).toTypedArray();
      gb[2]! *= 1.5;
      return [g.mul(b.detach()), tensor(gb, { shape: b.shape })];
    });
  };

  it('passes the correct rule and fails a wrong one, naming the input and the element', () => {
    const a = tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const b = tensor([0.5, -1, 2, 3], { dtype: 'float64', requiresGrad: true });
    assert.ok(gradcheck((p, q) => p.mul(q), [a, b]));
    assert.throws(
      () => gradcheck(wrongMul, [a, b]),
      (e: Error) =>
        /gradient mismatch for input 1 \(shape \[4\]\) at flat element 2/.test(e.message) &&
        /analytic .*numeric/.test(e.message),
    );
  });

  it('checks functions with several outputs, ignoring integer ones', () => {
    const x = tensor([0.3, -1.2, 2], { dtype: 'float64', requiresGrad: true });
    assert.ok(gradcheck((t) => [t.exp(), t.argmax(), t.sin().sum()], [x]));
    const wrongSecond = (t: Tensor) => [t.exp(), record(t.detach().mul(2), [t], 'bad', (g) => [g.mul(3)])];
    assert.throws(() => gradcheck(wrongSecond, [x]), /input 0 \(shape \[3\]\) at flat element 0/);
  });

  it('returns false instead of throwing with raiseOnFailure: false', () => {
    const a = tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const b = tensor([0.5, -1, 2, 3], { dtype: 'float64', requiresGrad: true });
    assert.equal(gradcheck(wrongMul, [a, b], { raiseOnFailure: false }), false);
  });

  it('catches a wrong rule on the first input too', () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true }); // prettier-ignore
    const badSquare = (x: Tensor) =>
      record(x.detach().mul(x.detach()), [x], 'badSquare', (g) => [g.mul(x.detach()).mul(3)]);
    assert.throws(() => gradcheck(badSquare, [a]), /input 0 \(shape \[2, 2\]\) at flat element 0/);
  });

  it('catches a rule that forgets to sum a broadcast gradient', () => {
    const a = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    const b = tensor([[1], [2]], { dtype: 'float64', requiresGrad: true });
    // The gradient for b should be summed over the broadcast columns; taking column 0 only is wrong.
    const badAdd = (p: Tensor, q: Tensor) =>
      record(p.detach().add(q.detach()), [p, q], 'badAdd', (g) => [g.sum(0, true), g.slice(1, 0, 1)]);
    assert.throws(() => gradcheck(badAdd, [a, b]), /input 1/);
  });

  it('refuses float32 inputs and inputs without requiresGrad', () => {
    assert.throws(
      () => gradcheck((x) => x.exp(), [tensor([1, 2], { requiresGrad: true })]),
      /must be float64/,
    );
    assert.throws(
      () => gradcheck((x) => x.exp(), [tensor([1, 2], { dtype: 'float64' })]),
      /nothing to check/,
    );
  });

  it('leaves the inputs and their .grad as they were', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    gradcheck((x) => x.mul(x).sum(), [a]);
    assert.deepEqual(a.toArray(), [1, 2, 3]);
    assert.equal(a.grad, null);
    // A gradient accumulated before the check survives it, as with torch.autograd.gradcheck.
    a.mul(2).sum().backward();
    gradcheck((x) => x.mul(x).sum(), [a]);
    assert.deepEqual((a.grad as Tensor | null)?.toArray(), [2, 2, 2]);
  });
});
