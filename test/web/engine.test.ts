// The playground's engine, which the worker runs: the same code runs here in Node.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/browser.js';
import { Race, surfaceGrid } from '../../web/src/engine/race.js';
import { parseRacer } from '../../web/src/engine/racer.js';
import { SURFACE_NAMES, SURFACES } from '../../web/src/engine/surfaces.js';
import { DATASET_NAMES, makeToyData } from '../../web/src/engine/toy-data.js';
import { ToyTrainer } from '../../web/src/engine/trainer.js';
import { contourSegments } from '../../web/src/ui/contours.js';
import { DESCENT_DEFAULTS } from '../../web/src/state/descent-state.js';
import { TRAIN_DEFAULTS } from '../../web/src/state/train-state.js';

function runRace(racers: string[], surface = 'rosenbrock' as const, steps = 300) {
  const race = new Race({
    surface,
    params: { condition: 10 },
    start: [...SURFACES[surface].start],
    racers: racers.map(parseRacer),
    steps,
  });
  const losses = racers.map(() => [] as number[]);
  const errors: (string | undefined)[] = racers.map(() => undefined);
  while (!race.finished) {
    race.advance(37).forEach((chunk, i) => {
      losses[i]!.push(...chunk.losses);
      errors[i] = chunk.error;
    });
  }
  return { losses, errors };
}

describe('loss surfaces', () => {
  test('each surface has its stated minimum value at its minima', () => {
    for (const name of SURFACE_NAMES) {
      const s = SURFACES[name];
      for (const [x, y] of s.minima) {
        const value = s.f(tensor([x], { dtype: 'float64' }), tensor([y], { dtype: 'float64' }), {
          condition: 10,
        });
        assert.ok(Math.abs(value.item() - s.minValue) < 1e-9, `${name} at (${x}, ${y}): ${value.item()}`);
      }
    }
  });

  test("autograd's gradient of Rosenbrock matches the formula", () => {
    const p = tensor([-1.5, 2.5], { dtype: 'float64', requiresGrad: true });
    SURFACES.rosenbrock.f(p.select(0, 0), p.select(0, 1), { condition: 1 }).backward();
    const [x, y] = [-1.5, 2.5];
    assert.deepEqual(Array.from(p.grad!.toTypedArray()), [
      -2 * (1 - x) - 400 * x * (y - x * x),
      200 * (y - x * x),
    ]);
  });

  test('the grid runs row by row from the top of the domain', () => {
    const grid = surfaceGrid('bowl', { condition: 1 }, 3, 3);
    // κ = 1: ½(x² + y²); the centre is the minimum, the corners are ½(9 + 9).
    assert.equal(grid[4], 0);
    assert.equal(grid[0], 9);
  });
});

describe('races', () => {
  test('the default six racers all go downhill on Rosenbrock', () => {
    const { losses, errors } = runRace(
      DESCENT_DEFAULTS.racers.map((r) => `${r.optimizer}:lr=${r.options.lr}`),
    );
    losses.forEach((l, i) => {
      assert.equal(errors[i], undefined);
      assert.equal(l.length, 301, 'the start and one point per step');
      assert.ok(l.at(-1)! < l[0]! / 2, `racer ${i}: ${l[0]} → ${l.at(-1)}`);
    });
  });

  test('a switch and a schedule change what steps, and a bad racer fails alone', () => {
    const { losses, errors } = runRace(
      ['adam:lr=0.05|switch=sgd@50s:lr=0.0005,momentum=0.9|sched=cosine', 'sgd:lr=1'],
      'rosenbrock',
      100,
    );
    assert.equal(errors[0], undefined);
    assert.ok(losses[0]!.at(-1)! < losses[0]![0]!);
    assert.match(errors[1]!, /diverged at step \d+/);
  });
});

describe('contours', () => {
  test('a level of a cone is a closed ring of segments at the right radius', () => {
    const n = 41;
    const values = Float64Array.from({ length: n * n }, (_, i) =>
      Math.hypot((i % n) - 20, Math.floor(i / n) - 20),
    );
    const segments = contourSegments(values, n, n, 10);
    assert.ok(segments.length > 40);
    for (let i = 0; i < segments.length; i += 2) {
      assert.ok(Math.abs(Math.hypot(segments[i]! - 20, segments[i + 1]! - 20) - 10) < 0.1);
    }
  });
});

describe('toy datasets and training', () => {
  test('the same seed gives the same points; every class is present', () => {
    for (const name of DATASET_NAMES) {
      const a = makeToyData(name, 90, 0.1, 7);
      assert.deepEqual(a, makeToyData(name, 90, 0.1, 7));
      assert.notDeepEqual(a.points, makeToyData(name, 90, 0.1, 8).points);
      assert.equal(new Set(a.labels).size, a.classes);
    }
  });

  test('the default setup learns the spiral to at least 95% validation accuracy', () => {
    const trainer = new ToyTrainer(structuredClone(TRAIN_DEFAULTS));
    const before = trainer.measure();
    let report = trainer.runEpoch();
    while (!trainer.done) report = trainer.runEpoch();
    assert.equal(report.epoch, TRAIN_DEFAULTS.epochs);
    assert.ok(report.valAccuracy >= 0.95, `validation accuracy ${report.valAccuracy}`);
    assert.ok(report.trainLoss < before.trainLoss / 5);
    const boundary = trainer.boundary(20);
    assert.equal(boundary.probabilities.length, 20 * 20 * 2);
  });
});
