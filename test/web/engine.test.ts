// The playground's engine, which the worker runs: the same code runs here in Node.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, SGD, fromTypedArray, nn, tensor } from '../../src/browser.js';
import { FASHION_CLASSES } from '../../web/src/engine/fashion.js';
import { EVAL_EVERY, ImageTrainer } from '../../web/src/engine/image-trainer.js';
import { LayerProbe, deadUnitFraction } from '../../web/src/engine/layer-probe.js';
import { Race, surfaceGrid } from '../../web/src/engine/race.js';
import { parseRacer } from '../../web/src/engine/racer.js';
import { SURFACE_NAMES, SURFACES } from '../../web/src/engine/surfaces.js';
import { DATASET_NAMES, makeToyData } from '../../web/src/engine/toy-data.js';
import { ToyTrainer } from '../../web/src/engine/trainer.js';
import { contourSegments } from '../../web/src/ui/contours.js';
import { DESCENT_DEFAULTS } from '../../web/src/state/descent-state.js';
import { IMAGE_PRESET, TRAIN_DEFAULTS, type TrainState } from '../../web/src/state/train-state.js';
import { loadSubsetAsTheBrowserDoes } from './subset.js';

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

describe('Fashion-MNIST in the playground', () => {
  const data = loadSubsetAsTheBrowserDoes;
  const setup = (patch: Partial<TrainState> = {}): TrainState => ({
    ...structuredClone(TRAIN_DEFAULTS),
    dataset: 'fashion-mnist',
    ...structuredClone(IMAGE_PRESET),
    schedule: 'none',
    images: 2000,
    valImages: 300,
    ...patch,
  });

  test('the gzipped IDX files parse into 10,000 training and 2,000 test images', async () => {
    const { train, test: testSet } = await data();
    assert.deepEqual([train.count, train.rows, train.cols, testSet.count], [10000, 28, 28, 2000]);
    assert.deepEqual(train.classes, FASHION_CLASSES);
    assert.equal(train.labels.filter((l) => l === 9).length, 1000);
  });

  test('an MLP learns it, validating every EVAL_EVERY steps with a confusion matrix over every validation image', async () => {
    // 3,200 images in batches of 64: 50 steps an epoch, 2 epochs.
    const trainer = new ImageTrainer(setup({ images: 3200, epochs: 2 }), await data());
    assert.equal(trainer.totalSteps, 2 * EVAL_EVERY);
    const start = trainer.validate();
    assert.equal(
      start.confusion.flat().reduce((a, b) => a + b, 0),
      300,
    );
    const reports = [];
    while (!trainer.done) reports.push(trainer.run(Infinity));
    assert.deepEqual(
      reports.map((r) => r.steps),
      [EVAL_EVERY, 2 * EVAL_EVERY],
    );
    const last = reports.at(-1)!.validation!;
    assert.ok(
      last.accuracy > 0.65 && last.accuracy > start.accuracy + 0.4,
      `accuracy ${start.accuracy} → ${last.accuracy}`,
    );
    const diagonal = last.confusion.reduce((a, row, i) => a + row[i]!, 0);
    assert.equal(diagonal / 300, last.accuracy);
    // One probe value per step and layer: 2 Linear layers, 1 ReLU.
    const stats = trainer.probe.take();
    assert.deepEqual(
      [
        stats.gradNorm.map((g) => g.length),
        stats.updateRatio.length,
        stats.deadFraction.map((d) => d.length),
      ],
      [[100, 100], 2, [100]],
    );
    assert.ok(stats.updateRatio.flat().every((r) => r > 0 && r < 0.1));
  });

  test('the same setup gives the same run; augmentation changes the batches', async () => {
    const losses = async (patch: Partial<TrainState>) => {
      const trainer = new ImageTrainer(setup({ batchSize: 32, ...patch }), await data());
      return [trainer.run(Infinity), trainer.run(0), trainer.run(0)].map((r) => r.trainLoss);
    };
    const plain = await losses({});
    assert.deepEqual(await losses({}), plain);
    const augmented = await losses({ augment: 'rotate=15,crop=2' });
    assert.deepEqual(await losses({ augment: 'rotate=15,crop=2' }), augmented);
    assert.notDeepEqual(augmented, plain);
  });

  test('inspect: every layer of a CNN for one image, and the 3×3 kernels of its first convolution', async () => {
    const trainer = new ImageTrainer(setup({ model: 'cnn', channels: [4, 8], hidden: [16] }), await data());
    const inspection = trainer.inspect(3);
    assert.equal(inspection.label, (await data()).test.labels[3]);
    assert.deepEqual(
      inspection.maps.map((m) => `${m.type} [${m.shape}]`),
      [
        'Unflatten [1,28,28]',
        'Conv2d [4,28,28]',
        'ReLU [4,28,28]',
        'MaxPool2d [4,14,14]',
        'Conv2d [8,14,14]',
        'ReLU [8,14,14]',
        'MaxPool2d [8,7,7]',
        'Flatten [392]',
        'Linear [16]',
        'ReLU [16]',
        'Linear [10]',
      ],
    );
    assert.deepEqual(inspection.weights?.shape, [4, 1, 3, 3]);
    const samples = trainer.classSamples();
    assert.deepEqual(
      samples.map((s) => s.label),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const { index, label, pixels } of samples) {
      assert.equal(trainer.valSet.labels[index], label);
      assert.equal(pixels[300], Math.fround(trainer.valSet.images[index * 784 + 300]! / 255));
    }
    assert.ok(Math.abs(inspection.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });
});

describe('the layer probe', () => {
  test('gradient norm and update ratio of a step match the tensors; dead units are those zero for the whole batch', () => {
    const model = nn.buildMlp([3, 4, 2], 'relu', { generator: new Generator(3) });
    const probe = new LayerProbe(model);
    const x = fromTypedArray(Float32Array.from([1, -2, 0.5, -1, 0.3, 2]), [2, 3]);
    const y = fromTypedArray(Int32Array.from([0, 1]), [2]);
    const weight = model.namedParameters()[0]![1];
    const before = weight.toTypedArray();
    nn.crossEntropy(model.forward(x), y).backward();
    probe.beforeStep();
    const grads = model
      .namedParameters()
      .slice(0, 2)
      .flatMap(([, p]) => Array.from(p.grad!.toTypedArray()));
    new SGD(model.parameters(), { lr: 0.1 }).step(); // θ ← θ − 0.1·∇θ
    probe.afterStep();
    const stats = probe.take();
    assert.ok(Math.abs(stats.gradNorm[0]![0]! - Math.hypot(...grads)) < 1e-6);
    const after = weight.toTypedArray();
    const bias = model.namedParameters()[1]![1];
    const delta = Math.hypot(
      ...Array.from(after, (v, i) => v - before[i]!),
      ...grads.slice(12).map((g) => 0.1 * g),
    );
    const norm = Math.hypot(
      ...before,
      ...Array.from(bias.toTypedArray(), (v, i) => v + 0.1 * grads[12 + i]!),
    );
    assert.ok(Math.abs(stats.updateRatio[0]![0]! - delta / norm) < 1e-5);
    assert.equal(stats.deadFraction.length, 1);
    assert.equal(
      deadUnitFraction(
        tensor([
          [0, 1, 0],
          [0, 0, 2],
        ]),
      ),
      1 / 3,
    );
    probe.dispose();
    assert.equal(nn.forwardHookCount(model.at(1)), 0);
  });
});
