/**
 * Reading the PyTorch reference recordings in ../shared/golden (beside the repository root) and
 * comparing against them with |actual − expected| ≤ atol + rtol·|expected|.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Tensor, tensor, type DType } from '../../src/index.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const goldenDir = resolve(repoRoot, '../shared/golden');

export interface GoldenTensor {
  shape: number[];
  data: number[];
  dtype?: 'int64';
  requires_grad?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GoldenCase = Record<string, any> & { name: string };

const cache = new Map<string, GoldenCase[]>();

/** The cases of one golden file, e.g. loadGolden('layers.json'). */
export function loadGolden(file: string): GoldenCase[] {
  let cases = cache.get(file);
  if (!cases) {
    const parsed = JSON.parse(readFileSync(resolve(goldenDir, file), 'utf8')) as { cases: GoldenCase[] };
    cases = parsed.cases;
    cache.set(file, cases);
  }
  return cases;
}

/** A golden tensor as a Descent tensor: int64 becomes int32, floats take `dtype`. */
export function fromGolden(t: GoldenTensor, dtype: DType = 'float64', requiresGrad = false): Tensor {
  if (t.dtype === 'int64') return tensor(Int32Array.from(t.data), { shape: t.shape });
  return tensor(Float64Array.from(t.data), { shape: t.shape, dtype, requiresGrad });
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

export const TOL: Record<'float64' | 'float32', Tolerance> = {
  float64: { rtol: 1e-5, atol: 1e-7 },
  float32: { rtol: 1e-4, atol: 1e-5 },
};

/** Asserts elementwise closeness and equal shape; the message names the worst element. */
export function assertClose(
  actual: Tensor | ArrayLike<number>,
  expected: GoldenTensor | ArrayLike<number>,
  tol: Tolerance,
  what: string,
): void {
  const exp: ArrayLike<number> =
    'data' in expected && !(expected instanceof Float64Array)
      ? (expected as GoldenTensor).data
      : (expected as ArrayLike<number>);
  if (actual instanceof Tensor && 'shape' in expected && Array.isArray((expected as GoldenTensor).shape)) {
    assert.deepEqual([...actual.shape], (expected as GoldenTensor).shape, `${what}: shape`);
  }
  const act: ArrayLike<number> = actual instanceof Tensor ? actual.toTypedArray() : actual;
  assert.equal(act.length, exp.length, `${what}: number of elements`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < exp.length; i++) {
    const a = act[i]!;
    const e = exp[i]!;
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(
      `${what}: element ${worst} is ${act[worst]}, expected ${exp[worst]} (rtol ${tol.rtol}, atol ${tol.atol})`,
    );
  }
}
