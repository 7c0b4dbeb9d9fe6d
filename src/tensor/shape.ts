/** Shapes, strides and NumPy/PyTorch broadcasting. */

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The broadcast shape of several shapes: dimensions are aligned from the right, and each pair must be
 * equal or contain a 1. `op` names the operation in the error.
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (let i = 0; i < ndim; i++) {
    for (const s of shapes) {
      const d = s[s.length - ndim + i] ?? 1;
      if (d === 1) continue;
      if (out[i] === 1) out[i] = d;
      else if (out[i] !== d) {
        const from = shapes.map(formatShape).join(' and ');
        throw new RangeError(
          `${op}: shapes ${from} cannot be broadcast: dimension ${i - ndim} (counting from the right) is ` +
            `${out[i]} in one and ${d} in the other; each pair of dimensions must be equal or one of them 1`,
        );
      }
    }
  }
  return out;
}

/** Strides of `shape` read as if expanded to `target` (0 on broadcast dimensions). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const strides = contiguousStrides(shape);
  const out = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[offset + i] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

/** Resolves a possibly negative dimension index against `ndim`, with a clear error. */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `${op}: dimension ${dim} is out of range for a tensor with ${ndim} dimensions (expected ${-n}..${n - 1})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalised, sorted, de-duplicated list of dims; `undefined` means every dimension. */
export function normalizeDims(
  dims: number | readonly number[] | undefined,
  ndim: number,
  op: string,
): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = [...new Set(list.map((d) => normalizeDim(d, ndim, op)))].sort((a, b) => a - b);
  if (out.length !== list.length)
    throw new RangeError(`${op}: dimension list [${list.join(', ')}] repeats a dimension`);
  return out;
}
