/**
 * `descent inspect`: on checkpoints written here (a tiny CNN trained for a few steps with the trainer's
 * ModelCheckpoint, which records no architecture, and an MLP whose checkpoint records its spec), the
 * command writes a valid PNG whose input panel holds the image's pixels, prints the same probabilities
 * as running the model directly, reads an image file like the same dataset image, and reports every
 * bad input with a clean message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { encode as encodePngFile } from 'fast-png';

import { main } from '../../src/cli/main.js';
import { modelSpecMetadata, pct } from '../../src/cli/run-setup.js';
import { decodeImage } from '../../src/data/decode.js';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import { selectImages, type ImageSet } from '../../src/data/image-set.js';
import type { Sequential } from '../../src/nn/layers/sequential.js';
import { buildCnn, modelFromSpec, resolveModelSpec } from '../../src/nn/presets.js';
import { Adam } from '../../src/optim/index.js';
import { fromTypedArray } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import { ModelCheckpoint } from '../../src/train/callbacks/index.js';
import { writeCheckpoint } from '../../src/train/checkpoint.js';
import { fit, predict } from '../../src/train/trainer.js';
import { capture } from '../helpers/cli.js';
import { decodePng } from '../report/decode-png.js';

let dir: string;
let cnnRoot: string;
let cnn: Sequential;
let mlpRoot: string;
let mlp: Sequential;
let test: ImageSet;

/** Test image `i` as the model input [1, 784]. */
function testInput(i: number) {
  return fromTypedArray(
    Float32Array.from(test.images.subarray(i * 784, (i + 1) * 784), (b) => b / 255),
    [1, 784],
  );
}

/** The probability lines of inspect's output, by class name. */
function printedProbabilities(stdout: string[]): Map<string, string> {
  const start = stdout.indexOf('class probabilities:');
  const lines = stdout.slice(start + 1, start + 11);
  return new Map(lines.map((l) => /^ {2}(.+?)\s+(\d+\.\d\d%)/.exec(l)!).map((m) => [m[1]!, m[2]!]));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'descent-inspect-'));
  const sets = await loadEmbeddedFashionMnist();
  test = sets.test;
  const train = selectImages(
    sets.train,
    Int32Array.from({ length: 256 }, (_, i) => i),
  );
  cnn = buildCnn({ channels: [2, 4], hidden: 8, generator: new Generator(1) });
  cnnRoot = join(dir, 'cnn');
  fit(cnn, train, {
    epochs: 1,
    batchSize: 32,
    optimizer: new Adam(cnn.parameters(), { lr: 3e-3 }),
    callbacks: [new ModelCheckpoint(cnnRoot)],
  });
  const spec = resolveModelSpec({ type: 'mlp', hidden: [16], activation: 'gelu' });
  mlp = modelFromSpec(spec, { generator: new Generator(2) });
  fit(mlp, train, { epochs: 1, batchSize: 32, optimizer: new Adam(mlp.parameters(), { lr: 3e-3 }) });
  mlpRoot = join(dir, 'mlp');
  writeCheckpoint(mlpRoot, 'final', {
    weights: mlp.stateDict(),
    state: {},
    metadata: modelSpecMetadata(spec),
  });
});

describe('descent inspect', () => {
  it('writes a PNG grid of the conv and pool layers and prints the probabilities of the model', async () => {
    const out = join(dir, 'maps', 'grid.png');
    const io = capture();
    const code = await main(['inspect', '--index', '0', '--checkpoint', cnnRoot, '--out', out], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    const text = io.stdout.join('\n');
    assert.match(text, /feature maps of CNN 1x28x28, conv 2-4 \(3x3, max-pool 2\), fc 196-8-10 \(relu\)/);
    assert.match(text, /weights .*cnn[/\\]last[/\\]model\.safetensors \(step 8\)/);
    assert.match(text, /recognised from the weights, activation relu/);
    assert.match(text, /input: test image 0 of fashion-mnist-subset \(true class: Ankle boot\)/);
    assert.match(text, / {4}1 {2}Conv2d {6}\[1, 2, 28, 28\] {2}\*/);
    assert.match(text, / {4}6 {2}MaxPool2d {3}\[1, 4, 7, 7\] {2}\*/);
    assert.match(text, /4 sections/);
    // The same probabilities as the model run directly, all ten classes.
    const expected = predict(cnn, testInput(0)).probabilities.toTypedArray();
    const printed = printedProbabilities(io.stdout);
    assert.equal(printed.size, 10);
    test.classes.forEach((name, k) => assert.equal(printed.get(name), pct(expected[k]!), name));
    assert.match(text, /\(true class\)/);

    // A valid PNG (every chunk's CRC checks) whose input panel holds the image, 4x (at 12, 40).
    const bytes = readFileSync(out);
    const png = decodePng(bytes);
    assert.ok(png.chunks.every((c) => c.crcOk));
    assert.ok(png.width > 400 && png.height > 400, `${png.width}x${png.height}`);
    const image = decodeImage(bytes, out);
    for (const [y, x] of [
      [0, 0],
      [14, 14],
      [20, 5],
      [27, 27],
    ] as const) {
      const at = (40 + 4 * y + 1) * image.width + 12 + 4 * x + 1;
      assert.ok(Math.abs(image.data[at]! - test.images[y * 28 + x]! / 255) < 1e-6, `pixel (${y}, ${x})`);
    }
  });

  it('reads an image file like the same dataset image', async () => {
    const file = join(dir, 'boot.png');
    writeFileSync(file, encodePngFile({ width: 28, height: 28, data: test.images.slice(0, 784), channels: 1, depth: 8 }));
    const byIndex = capture();
    const byFile = capture();
    assert.equal(await main(['inspect', '--index', '0', '--checkpoint', cnnRoot, '--out', join(dir, 'a.png')], byIndex), 0);
    assert.equal(await main(['inspect', '--image', file, '--checkpoint', cnnRoot, '--out', join(dir, 'b.png')], byFile), 0, byFile.stderr.join('\n'));
    assert.deepEqual(printedProbabilities(byFile.stdout), printedProbabilities(byIndex.stdout));
    assert.match(byFile.stdout.join('\n'), /input: .*boot\.png/);
  }); // prettier-ignore

  it("shows an MLP's hidden activations, with the architecture its checkpoint records", async () => {
    const out = join(dir, 'mlp.png');
    const io = capture();
    assert.equal(await main(['inspect', '--index', '3', '--checkpoint', mlpRoot, '--out', out], io), 0, io.stderr.join('\n'));
    const text = io.stdout.join('\n');
    assert.match(text, /feature maps of MLP 784-16-10 \(gelu\)/);
    assert.doesNotMatch(text, /recognised from the weights/);
    assert.match(text, / {4}1 {2}GELU {8}\[1, 16\] {2}\*/);
    assert.match(text, /1 sections/);
    const expected = predict(mlp, testInput(3)).probabilities.toTypedArray();
    const printed = printedProbabilities(io.stdout);
    test.classes.forEach((name, k) => assert.equal(printed.get(name), pct(expected[k]!), name));
    assert.ok(decodePng(readFileSync(out)).chunks.every((c) => c.crcOk));
  }); // prettier-ignore

  it('--all-layers adds the activations', async () => {
    const io = capture();
    assert.equal(await main(['inspect', '--index', '1', '--checkpoint', cnnRoot, '--out', join(dir, 'all.png'), '--all-layers'], io), 0);
    // Unflatten, Conv, ReLU, Pool, Conv, ReLU, Pool (4-D) + Flatten, Linear, ReLU (2-D, not the output).
    assert.match(io.stdout.join('\n'), /10 sections/);
  }); // prettier-ignore

  it('rebuilds the model of a descent train --checkpoint run from its saved options, activation included', async () => {
    const run = join(dir, 'train-run');
    const train = capture();
    // 9,500 of the 10,000 embedded training images held out: a quick run on 500.
    const argv = ['train', '--model', 'cnn', '--channels', '2', '--hidden', '6', '--activation', 'tanh', '--epochs', '1'];
    const code = await main([...argv, '--optimizer', 'adam', '--validation', '9500', '--checkpoint', run], train);
    assert.equal(code, 0, train.stderr.join('\n'));
    const io = capture();
    assert.equal(await main(['inspect', '--index', '4', '--checkpoint', run, '--out', join(dir, 'run.png')], io), 0, io.stderr.join('\n'));
    assert.match(io.stdout[0]!, /CNN 1x28x28, conv 2 \(3x3, max-pool 2\), fc 392-6-10 \(tanh\)/);
    assert.match(io.stdout.join('\n'), /run[/\\](best|last)[/\\]model\.safetensors \(step 4\)/);
    assert.match(io.stdout.join('\n'), / {4}2 {2}Tanh/);
  }); // prettier-ignore

  it('reports bad usage and bad files cleanly', async () => {
    const cases: [string[], number, RegExp][] = [
      [['inspect', '--checkpoint', cnnRoot], 2, /give either --image PATH or --index N/],
      [['inspect', '--index', '0', '--image', 'x.png', '--checkpoint', cnnRoot], 2, /give either --image PATH or --index N/],
      [['inspect', '--index', '2000', '--checkpoint', cnnRoot, '--out', join(dir, 'x.png')], 2, /--index 2000 is out of range: the fashion-mnist-subset test set has 2,000 images \(0 to 1999\)/],
      [['inspect', '--index', '0', '--checkpoint', cnnRoot, '--out', join(dir, 'x.jpg')], 2, /--out must end in \.png/],
      [['inspect', '--index', '0'], 2, /--checkpoint DIR is required/],
      [['inspect', '--index', '0', '--checkpoint', join(dir, 'nowhere')], 1, /nowhere: no such checkpoint/],
      [['inspect', '--index', '0', '--checkpoint', dir], 1, /holds no checkpoint/],
      [['inspect', '--image', join(dir, 'missing.png'), '--checkpoint', cnnRoot], 1, /missing\.png: cannot read the image \(no such file\)/],
      [['inspect', '--index', '0', '--checkpoint', cnnRoot, '--model', 'cnn', '--channels', '3,4'], 1, /the weights do not fit CNN 1x28x28, conv 3-4 .* \(from the command-line options\): .*shape mismatch for 1\.weight/s],
    ]; // prettier-ignore
    for (const [argv, status, pattern] of cases) {
      const io = capture();
      assert.equal(await main(argv, io), status, argv.join(' '));
      assert.match(io.stderr.join('\n'), pattern, argv.join(' '));
    }
  });
});
