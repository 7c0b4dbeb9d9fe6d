/** Conversion between nested JS arrays and flat buffers, with errors that point at the ragged row. */
import type { TypedArray } from './dtype.js';

export type NestedArray = number | boolean | NestedArray[];

/** The shape of a nested array, checking that it is rectangular. */
export function nestedShape(value: unknown, where = 'tensor'): number[] {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  check(value, shape, 0, [], where);
  return shape;
}

function check(value: unknown, shape: number[], depth: number, path: number[], where: string): void {
  const at = path.length === 0 ? 'the top level' : `[${path.join('][')}]`;
  if (depth === shape.length) {
    if (Array.isArray(value)) {
      throw new RangeError(
        `${where}: ragged nested array: ${at} is an array, but the first element at that depth is a number (expected shape [${shape.join(', ')}])`,
      );
    }
    if (typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(
        `${where}: element ${at} is ${value === null ? 'null' : typeof value}; expected a number or boolean`,
      );
    }
    return;
  }
  if (!Array.isArray(value)) {
    throw new RangeError(
      `${where}: ragged nested array: ${at} is a number, but an array of length ${shape[depth]} was expected (like the first row at that depth)`,
    );
  }
  if (value.length !== shape[depth]) {
    throw new RangeError(
      `${where}: ragged nested array: the row at ${at} has length ${value.length}, but the first row at that depth has length ${shape[depth]}`,
    );
  }
  for (let i = 0; i < value.length; i++) check(value[i], shape, depth + 1, [...path, i], where);
}

export function flattenNested(value: NestedArray, out: TypedArray): void {
  let i = 0;
  const visit = (v: NestedArray): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else out[i++] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  };
  visit(value);
}

export function containsBoolean(value: NestedArray): boolean {
  let probe: NestedArray = value;
  while (Array.isArray(probe)) {
    if (probe.length === 0) return false;
    probe = probe[0]!;
  }
  return typeof probe === 'boolean';
}

export function toNested(data: TypedArray, shape: readonly number[], asBoolean: boolean): NestedArray {
  const read = (i: number): number | boolean => (asBoolean ? data[i] !== 0 : data[i]!);
  if (shape.length === 0) return read(0);
  const build = (dim: number, offset: number, stride: number): NestedArray[] => {
    const n = shape[dim]!;
    const inner = stride / Math.max(n, 1);
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) {
      out.push(dim === shape.length - 1 ? read(offset + i) : build(dim + 1, offset + i * inner, inner));
    }
    return out;
  };
  return build(0, 0, data.length);
}
