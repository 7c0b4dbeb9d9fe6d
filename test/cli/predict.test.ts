/**
 * `descent predict <image>` and `descent evaluate` on checkpoints written here (a tiny CNN trained for
 * a few steps; its weights also as a bare .safetensors file that records the architecture and class
 * names): top-k classes with the model's own probabilities, image preparation (greyscale, area resize,
 * inversion), evaluation numbers equal to counting by hand, and clean errors that name the bad file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { encode as encodePngFile } from 'fast-png';

import { rankClasses, resizeImage } from '../../src/cli/commands/predict.js';
import { main } from '../../src/cli/main.js';
import { modelSpecMetadata, pct } from '../../src/cli/run-setup.js';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import { selectImages, type ImageSet } from '../../src/data/image-set.js';
import { crossEntropy } from '../../src/nn/index.js';
import type { Sequential } from '../../src/nn/layers/sequential.js';
import { buildCnn, inferModelSpec } from '../../src/nn/presets.js';
import { Adam } from '../../src/optim/index.js';
import { fromTypedArray } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import { ModelCheckpoint } from '../../src/train/callbacks/index.js';
import { saveSafetensors } from '../../src/train/checkpoint.js';
import { fit, predict } from '../../src/train/trainer.js';
import { capture } from '../helpers/cli.js';

let dir: string;
let root: string;
let model: Sequential;
let test: ImageSet;

/** Test image `i` written as an 8-bit greyscale PNG (optionally inverted, or as RGB). */
function writeTestImage(i: number, name: string, options: { invert?: boolean; rgb?: boolean } = {}): string {
  let pixels = test.images.slice(i * 784, (i + 1) * 784);
  if (options.invert) pixels = pixels.map((b) => 255 - b);
  const data = options.rgb
    ? Uint8Array.from({ length: 784 * 3 }, (_, k) => pixels[Math.floor(k / 3)]!)
    : pixels;
  const path = join(dir, name);
  writeFileSync(
    path,
    encodePngFile({ width: 28, height: 28, data, channels: options.rgb ? 3 : 1, depth: 8 }),
  );
  return path;
}

function probabilitiesOf(i: number): Float32Array {
  const x = fromTypedArray(
    Float32Array.from(test.images.subarray(i * 784, (i + 1) * 784), (b) => b / 255),
    [1, 784],
  );
  return predict(model, x).probabilities.toTypedArray() as Float32Array;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'descent-predict-'));
  const sets = await loadEmbeddedFashionMnist();
  test = sets.test;
  const train = selectImages(
    sets.train,
    Int32Array.from({ length: 320 }, (_, i) => i),
  );
  model = buildCnn({ channels: [2, 4], hidden: 8, generator: new Generator(3) });
  root = join(dir, 'run');
  fit(model, train, {
    epochs: 1,
    batchSize: 32,
    optimizer: new Adam(model.parameters(), { lr: 3e-3 }),
    callbacks: [new ModelCheckpoint(root)],
  });
});

describe('descent predict', () => {
  it('lists the top-k classes with the probabilities of the model', async () => {
    const image = writeTestImage(0, 'boot.png');
    const io = capture();
    assert.equal(await main(['predict', image, '--checkpoint', root], io), 0, io.stderr.join('\n'));
    const probabilities = probabilitiesOf(0);
    const ranked = rankClasses(probabilities);
    const [first, ...rest] = io.stdout;
    assert.equal(first, `${image}: ${test.classes[ranked[0]!]} (${pct(probabilities[ranked[0]!]!)})`);
    const listed = rest.filter((l) => /^ +\d+\. /.test(l));
    assert.equal(listed.length, 3);
    listed.forEach((line, i) => {
      const k = ranked[i]!;
      assert.match(line, new RegExp(`^ +${i + 1}\\. ${test.classes[k]!.replace(/[/]/g, '\\/')} +${pct(probabilities[k]!).replace('.', '\\.')}$`));
    });
    assert.match(io.stdout.join('\n'), /model: CNN 1x28x28, conv 2-4 .*model\.safetensors \(step 10\)/);
    assert.deepEqual(io.stderr, []);
  }); // prettier-ignore

  it('--top sets the count; --image works as the positional; an RGB file is converted to grey', async () => {
    const image = writeTestImage(5, 'rgb.png', { rgb: true });
    const io = capture();
    assert.equal(await main(['predict', '--image', image, '--checkpoint', root, '--top', '10'], io), 0);
    assert.equal(io.stdout.filter((l) => /^ +\d+\. /.test(l)).length, 10);
    const grey = capture();
    await main(['predict', writeTestImage(5, 'grey.png'), '--checkpoint', root, '--top', '10'], grey);
    assert.deepEqual(io.stdout.slice(1, 11), grey.stdout.slice(1, 11));
  });

  it('--invert turns a dark object on white back into what the model learned, and a light border suggests it', async () => {
    const inverted = writeTestImage(2, 'inverted.png', { invert: true });
    const plain = capture();
    const hinted = capture();
    await main(['predict', writeTestImage(2, 'plain.png'), '--checkpoint', root, '--top', '10'], plain);
    assert.equal(
      await main(['predict', inverted, '--checkpoint', root, '--top', '10', '--invert'], hinted),
      0,
    );
    assert.deepEqual(hinted.stdout.slice(1, 11), plain.stdout.slice(1, 11));
    const bare = capture();
    await main(['predict', inverted, '--checkpoint', root], bare);
    assert.match(bare.stderr.join('\n'), /the image's border is light .* try --invert/);
  });

  it('reads a bare .safetensors file; its recorded architecture and class names are used', async () => {
    const file = join(dir, 'weights.safetensors');
    const spec = inferModelSpec(model.stateDict())!;
    const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    saveSafetensors(file, model.stateDict(), { format: 'pt', ...modelSpecMetadata(spec, names) });
    const io = capture();
    assert.equal(await main(['predict', writeTestImage(0, 'again.png'), '--checkpoint', file], io), 0);
    const probabilities = probabilitiesOf(0);
    const top = rankClasses(probabilities)[0]!;
    assert.match(io.stdout[0]!, new RegExp(`: ${names[top]} \\(`));
    assert.match(io.stdout.join('\n'), /weights\.safetensors$/m);
  });

  it('gives a clean error that names a bad image file', async () => {
    const notImage = join(dir, 'notes.png');
    writeFileSync(notImage, 'just text');
    const truncated = join(dir, 'truncated.png');
    const whole = encodePngFile({
      width: 28,
      height: 28,
      data: test.images.slice(0, 784),
      channels: 1,
      depth: 8,
    });
    writeFileSync(truncated, whole.subarray(0, 40));
    const cases: [string[], number, RegExp][] = [
      [
        [notImage],
        1,
        /^descent predict: .*notes\.png: not a PNG or JPEG file \(it starts with bytes 6a 75 73 74/,
      ],
      [[truncated], 1, /^descent predict: .*truncated\.png: truncated PNG file/],
      [
        [join(dir, 'absent.png')],
        1,
        /^descent predict: .*absent\.png: cannot read the image \(no such file\)/,
      ],
      [[dir], 1, /cannot read the image \(it is a directory\)/],
    ];
    for (const [args, status, pattern] of cases) {
      const io = capture();
      assert.equal(await main(['predict', ...args, '--checkpoint', root], io), status, args.join(' '));
      assert.match(io.stderr.join('\n'), pattern);
      assert.deepEqual(io.stdout, []);
    }
    const usage: [string[], RegExp][] = [
      [['predict', '--checkpoint', root], /give the image to classify/],
      [['predict', 'a.png', '--image', 'b.png', '--checkpoint', root], /give IMAGE once/],
      [['predict', 'a.png'], /--checkpoint DIR is required/],
      [['predict', 'a.png', '--checkpoint', root, '--top', '0'], /--top must be at least 1/],
    ];
    for (const [argv, pattern] of usage) {
      const io = capture();
      assert.equal(await main(argv, io), 2, argv.join(' '));
      assert.match(io.stderr.join('\n'), pattern);
    }
  });
});

describe('resizeImage', () => {
  it('averages areas when shrinking: 2x2 blocks become their means', () => {
    const data = Float32Array.from({ length: 4 * 6 }, (_, i) => i);
    const small = resizeImage({ data, channels: 1, height: 4, width: 6 }, 2, 3);
    const mean = (y: number, x: number) =>
      (data[2 * y * 6 + 2 * x]! + data[2 * y * 6 + 2 * x + 1]! + data[(2 * y + 1) * 6 + 2 * x]! + data[(2 * y + 1) * 6 + 2 * x + 1]!) / 4;
    assert.deepEqual(Array.from(small.data), [mean(0, 0), mean(0, 1), mean(0, 2), mean(1, 0), mean(1, 1), mean(1, 2)]);
    // A non-integer factor keeps the mean of a constant image.
    const constant = resizeImage({ data: new Float32Array(7 * 5).fill(0.25), channels: 1, height: 7, width: 5 }, 3, 2);
    for (const v of constant.data) assert.ok(Math.abs(v - 0.25) < 1e-6);
  }); // prettier-ignore
});

// evaluate reads the same kind of checkpoint, so its test lives with predict's fixture.
describe('descent evaluate', () => {
  it('prints loss, accuracy, per-class precision/recall/F1 and the confusion matrix of the test set', async () => {
    const io = capture();
    assert.equal(await main(['evaluate', '--checkpoint', root], io), 0, io.stderr.join('\n'));
    const text = io.stdout.join('\n');
    // By hand: the model over all 2,000 test images.
    const x = fromTypedArray(Float32Array.from(test.images, (b) => b / 255), [test.count, 784]);
    const { logits, classes } = predict(model, x);
    const targets = fromTypedArray(Int32Array.from(test.labels), [test.count]);
    const loss = crossEntropy(logits, targets).item();
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    classes.forEach((p, i) => confusion[test.labels[i]!]![p]!++);
    const correct = confusion.reduce((s, row, k) => s + row[k]!, 0);
    assert.match(text, new RegExp(`test loss ${loss.toFixed(4)}, accuracy ${pct(correct / 2000).replace('.', '\\.')} \\(${correct.toLocaleString('en-US')}/2,000\\)`));
    const row = io.stdout.find((l) => l.startsWith('1 Trouser ') && /\d\.\d{3}/.test(l))!;
    const predicted = confusion.reduce((s, r) => s + r[1]!, 0);
    const precision = predicted === 0 ? 0 : confusion[1]![1]! / predicted;
    const recall = confusion[1]![1]! / confusion[1]!.reduce((a, b) => a + b, 0);
    assert.match(row, new RegExp(`${precision.toFixed(3)} +${recall.toFixed(3)} +\\d\\.\\d{3} +${confusion[1]!.reduce((a, b) => a + b, 0)}$`));
    const matrixStart = io.stdout.indexOf('confusion matrix (rows: true class, columns: predicted class)');
    io.stdout.slice(matrixStart + 2, matrixStart + 12).forEach((line, k) => {
      assert.deepEqual(line.trim().split(/\s+/).slice(-10).map(Number), confusion[k], `row ${k}`);
    });
    assert.match(text, /^macro avg/m);
  }); // prettier-ignore

  it('refuses a checkpoint that does not fit the dataset, naming both', async () => {
    const io = capture();
    const file = join(dir, 'five.safetensors');
    const five = buildCnn({ channels: [2], hidden: 4, classes: 5 });
    saveSafetensors(file, five.stateDict());
    assert.equal(await main(['evaluate', '--checkpoint', file], io), 1);
    assert.match(
      io.stderr.join('\n'),
      /CNN 1x28x28, conv 2 .* has 5 classes, but fashion-mnist-subset has 10/,
    );
  });
});
