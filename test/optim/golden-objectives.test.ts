/**
 * Every case of ../shared/golden/objectives.json: 50-step trajectories on Rosenbrock, Beale and a
 * saddle, with the gradients from Descent's own autograd, in float64 and float32. Each function is
 * built from tensor ops; its Python formula is kept beside it and checked against the file's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor, type DType, type Tensor } from '../../src/index.js';
import { assertClose, loadGolden, TOL, type GoldenCase } from '../helpers/golden.js';
import { camelOptions, OPTIMIZER_TABLE } from './optimizer-table.js';

const cases = loadGolden('objectives.json');

/** f(x, y) from tensor ops, with the Python formula it implements. */
const OBJECTIVES: Record<string, { formula: string; f: (x: Tensor, y: Tensor) => Tensor }> = {
  rosenbrock: {
    formula: '(1 - x)**2 + 100*(y - x**2)**2',
    f: (x, y) =>
      x
        .neg()
        .add(1)
        .pow(2)
        .add(y.sub(x.pow(2)).pow(2).mul(100)),
  },
  beale: {
    formula: '(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2',
    f: (x, y) => {
      const term = (c: number, k: number) =>
        x
          .neg()
          .add(c)
          .add(x.mul(y.pow(k)))
          .pow(2);
      return term(1.5, 1).add(term(2.25, 2)).add(term(2.625, 3));
    },
  },
  saddle: { formula: 'x**2 - y**2', f: (x, y) => x.pow(2).sub(y.pow(2)) },
};

function run(c: GoldenCase, dtype: DType): void {
  const objective = OBJECTIVES[c.function as string];
  assert.ok(objective, `no builder for the function ${c.function}`);
  assert.equal(objective.formula, c.formula, `${c.name}: the builder implements another formula`);
  const entry = OPTIMIZER_TABLE[c.optimizer.type as string];
  assert.ok(entry, `no optimizer in the table for torch type ${c.optimizer.type}`);
  const p = tensor(c.start as number[], { dtype, requiresGrad: true });
  const optimizer = new entry.create([p], camelOptions(c.optimizer.options));
  const tol = TOL[dtype as 'float64' | 'float32'];
  for (let k = 0; k < c.steps; k++) {
    optimizer.zeroGrad();
    const f = objective.f(p.select(0, 0), p.select(0, 1));
    f.backward();
    if (dtype === 'float64') {
      // In float32, f and ∇f near Rosenbrock's valley cancel catastrophically (y ≈ x²), so only the
      // trajectory is held to the float32 tolerance, as the README's measurements do.
      assertClose([f.item()], [c.f[k] as number], tol, `${c.name} f at step ${k + 1}`);
      assertClose(p.grad!, c.grad[k] as number[], tol, `${c.name} gradient at step ${k + 1}`);
    }
    optimizer.step();
    assertClose(p, c.xy[k] as number[], tol, `${c.name} (${dtype}) (x, y) after step ${k + 1}`);
  }
  const final = objective.f(p.select(0, 0), p.select(0, 1));
  assertClose([final.item()], [c.f_final as number], tol, `${c.name} (${dtype}) final f`);
}

for (const dtype of ['float64', 'float32'] as const) {
  describe(`objectives.json (${dtype})`, () => {
    let ran = 0;
    for (const c of cases) {
      it(`${c.name}: ${c.optimizer.type} ${JSON.stringify(c.optimizer.options)} on ${c.function}`, () => {
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
