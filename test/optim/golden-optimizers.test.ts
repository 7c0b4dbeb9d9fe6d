/**
 * Every case of ../shared/golden/optimizers.json, driven by the optimizer table, in float64 and
 * float32: set each p.grad from the file, step, compare each p with the recorded value (and, in
 * float64, the update itself, which catches errors too small to show in the parameters).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor, type DType, type Tensor } from '../../src/index.js';
import {
  assertClose,
  fromGolden,
  loadGolden,
  TOL,
  type GoldenCase,
  type GoldenTensor,
} from '../helpers/golden.js';
import { camelOptions, OPTIMIZER_TABLE } from './optimizer-table.js';

const cases = loadGolden('optimizers.json');

/** The update θₜ − θₜ₋₁ is compared far more tightly than the parameters (float64 agrees to ~2e-12 relative). */
const UPDATE_TOL = { rtol: 1e-9, atol: 1e-15 };

function build(c: GoldenCase, params: Tensor[]) {
  const entry = OPTIMIZER_TABLE[c.optimizer.type as string];
  assert.ok(entry, `no optimizer in the table for torch type ${c.optimizer.type}`);
  const options = camelOptions(c.optimizer.options);
  const groups = c.optimizer.param_groups as ({ params: number[] } & Record<string, unknown>)[] | undefined;
  if (!groups) return new entry.create(params, options);
  return new entry.create(
    groups.map(({ params: indices, ...overrides }) => ({
      params: indices.map((i) => params[i]!),
      ...camelOptions(overrides),
    })),
    options,
  );
}

function run(c: GoldenCase, dtype: DType): void {
  // torch_extra_kwargs only choose PyTorch's implementation (NAdam's foreach path), not the algorithm.
  assert.deepEqual(
    Object.keys(c.torch_extra_kwargs ?? {}).filter((k) => k !== 'foreach'),
    [],
  );
  const params = (c.params as GoldenTensor[]).map((t) => fromGolden(t, dtype, true));
  const optimizer = build(c, params);
  let previous: number[][] = (c.params as GoldenTensor[]).map((t) => t.data);
  for (let t = 0; t < c.steps; t++) {
    const before = params.map((p) => p.toTypedArray());
    params.forEach((p, i) => {
      p.grad = tensor(Float64Array.from(c.grads[t][i] as number[]), { shape: p.shape, dtype });
    });
    optimizer.step();
    const expected = c.expected[t] as number[][];
    params.forEach((p, i) => {
      assertClose(
        p,
        expected[i]!,
        TOL[dtype as 'float64' | 'float32'],
        `${c.name} (${dtype}) step ${t + 1} param ${i}`,
      );
      if (dtype === 'float64') {
        const after = p.toTypedArray();
        assertClose(
          after.map((v, k) => v - before[i]![k]!),
          expected[i]!.map((v, k) => v - previous[i]![k]!),
          UPDATE_TOL,
          `${c.name} step ${t + 1} update of param ${i}`,
        );
      }
    });
    previous = expected;
  }
}

for (const dtype of ['float64', 'float32'] as const) {
  describe(`optimizers.json (${dtype})`, () => {
    let ran = 0;
    for (const c of cases) {
      it(`${c.name}: ${c.optimizer.type} ${JSON.stringify(c.optimizer.options)}`, () => {
        run(c, dtype);
        ran++;
      });
    }
    it('ran and passed every case in the file', () => {
      assert.ok(cases.length > 0, 'the golden file has no cases');
      assert.equal(ran, cases.length);
    });
  });
}
