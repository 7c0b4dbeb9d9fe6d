/**
 * PyTorch-like printing: nested brackets aligned in columns, 4 decimals (scientific notation when the
 * magnitudes call for it), long dimensions summarised with "..." (3 items at each edge past 1000
 * elements), followed by the shape, dtype and grad state.
 */
import type { Tensor } from './tensor.js';

const THRESHOLD = 1000;
const EDGE = 3;

export function formatTensor(t: Tensor): string {
  const summarize = t.numel > THRESHOLD;
  const data = t._data;
  const isBool = t.dtype === 'bool';
  const isInt = t.dtype === 'int32';
  const format = isBool
    ? (v: number) => (v ? 'true' : 'false')
    : isInt
      ? (v: number) => String(v)
      : floatFormatter(data);
  const cells: string[] = [];
  for (let i = 0; i < data.length; i++) cells.push(format(data[i]!));
  const width = Math.max(1, ...cells.map((c) => c.length));
  const pad = (s: string) => s.padStart(width);
  const strides: number[] = [];
  let s = 1;
  for (let d = t.ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= t.shape[d]!;
  }
  const indent = 'tensor('.length;
  const build = (dim: number, offset: number): string => {
    if (dim === t.ndim) return pad(cells[offset]!);
    const n = t.shape[dim]!;
    const items: string[] = [];
    const showAll = !summarize || n <= 2 * EDGE;
    for (let i = 0; i < n; i++) {
      if (!showAll && i === EDGE) {
        items.push('...');
        i = n - EDGE - 1;
        continue;
      }
      items.push(build(dim + 1, offset + i * strides[dim]!));
    }
    const isLast = dim === t.ndim - 1;
    const sep = isLast ? ', ' : ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + dim + 1);
    return '[' + items.join(sep) + ']';
  };
  const body = t.ndim === 0 ? cells[0]! : build(0, 0);
  const extras = [`shape=[${t.shape.join(', ')}]`, `dtype=${t.dtype}`];
  if (t.gradFn) extras.push(`gradFn=${t.gradFn}`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}, ${extras.join(', ')})`;
}

function floatFormatter(data: ArrayLike<number>): (v: number) => string {
  let maxAbs = 0;
  let minAbs = Infinity;
  let allIntegers = true;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allIntegers = false;
  }
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  const scientific =
    maxAbs >= 1e8 ||
    (minAbs < 1e-4 && minAbs !== Infinity) ||
    (minAbs !== Infinity && maxAbs / minAbs > 1000);
  if (allIntegers && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (scientific)
    return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}
