// The Train view on the embedded Fashion-MNIST subset and the Inside view, end to end in headless
// Chromium (./harness.ts): the subset is fetched from the built app, an MLP learns it in the worker,
// the confusion matrix accounts for every validation image, and Inside looks into that very model.
// Screenshots go to test/web/artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, skipWithoutChromium, startPlayground, type Playground } from './harness.js';

/** One epoch (157 steps of 64) of an MLP 784-128-10 with Adam: about 79% validation accuracy in Node and Chromium. */
const FASHION =
  '#/train?dataset=fashion-mnist&seed=1&hidden=128&activation=relu&optimizer=adam&lr=0.001&schedule=none' +
  '&epochs=1&batchSize=64&model=mlp&images=10000&valImages=1000&augment=';
/** A small CNN: Unflatten, 2 × (Conv, ReLU, MaxPool), Flatten, Linear, ReLU, Linear: 11 layers, 4 with weights. */
const CNN_INSIDE =
  '#/inside?dataset=fashion-mnist&seed=2&hidden=16&activation=relu&optimizer=adam&lr=0.002&schedule=none' +
  '&epochs=1&batchSize=32&model=cnn&channels=4,8&images=1000&valImages=200&image=5';

const attribute = (page: Page, name: string) => page.getAttribute('#app', name);
const waitFor = (page: Page, predicate: string, timeout = 60_000) =>
  page.waitForFunction(predicate, null, { timeout, polling: 100 });

describe('the playground on Fashion-MNIST in headless Chromium', { skip: skipWithoutChromium }, () => {
  let playground: Playground;
  let runsDir: string;

  before(async () => {
    runsDir = mkdtempSync(join(tmpdir(), 'descent-runs-'));
    playground = await startPlayground(runsDir);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await playground?.close();
    rmSync(runsDir, { recursive: true, force: true });
  });

  test('an MLP learns the subset in the browser; the confusion matrix counts every validation image; Inside sees the same model', async () => {
    const { page } = await playground.open(FASHION);
    const app = (name: string) => `document.querySelector('#app').getAttribute('${name}')`;
    await waitFor(page, `${app('data-val-points')} === '1'`);
    // Before training: chance level, and already a full confusion matrix.
    assert.equal(await attribute(page, 'data-val-count'), '1000');
    assert.equal(await attribute(page, 'data-confusion-total'), '1000');
    assert.ok(Number(await attribute(page, 'data-val-accuracy')) < 0.3);
    // descent serve isolates the page, so the worker trains on the WebAssembly kernels with a Web
    // Worker per further core (src/backend/wasm/web.ts).
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page is cross-origin isolated');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const backend = await page.evaluate(() => document.documentElement.dataset.backend);
    assert.match(backend ?? '', new RegExp(`^wasm${cores > 1 ? ` ×${cores}` : ''} \\((simd|relaxed)\\)$`));
    const started = Date.now();
    await page.click('[data-testid=play]');
    await waitFor(page, `${app('data-done')} === 'true'`, 180_000);
    const seconds = (Date.now() - started) / 1000;
    const steps = Number(await attribute(page, 'data-steps'));
    const val = Number(await attribute(page, 'data-val-accuracy'));
    const correct = Number(await attribute(page, 'data-confusion-correct'));
    assert.equal(steps, 157); // ceil(10,000 / 64)
    assert.ok(val >= 0.72, `validation accuracy ${val} after one epoch (measured: 0.79)`);
    assert.equal(await attribute(page, 'data-confusion-total'), '1000');
    assert.equal(correct / 1000, val, 'the diagonal of the confusion matrix is the validation accuracy');
    // Validation every 50 steps and at the end of the epoch: steps 0, 50, 100, 150, 157.
    assert.equal(await attribute(page, 'data-val-points'), '5');
    assert.match((await page.textContent('[data-testid=metrics]')) ?? '', /step 157\/157 · done/);
    await page.screenshot({ path: join(ARTIFACTS, 'train-fashion-mnist.png') });
    console.log(
      `Fashion-MNIST subset, MLP 784-128-10, 157 steps in the browser (${backend}): ${seconds.toFixed(1)} s; validation ${val}`,
    );

    // Inside, through the link: the same run (157 steps, one gradient norm per step), not a new one.
    await page.click('[data-testid=inside-link]');
    await waitFor(page, `Number(${app('data-maps')} ?? '0') > 0`);
    assert.match(page.url(), /#\/inside\?dataset=fashion-mnist&.*&image=0$/);
    assert.equal(await attribute(page, 'data-steps'), '157');
    assert.equal(await attribute(page, 'data-maps'), '3'); // Linear, ReLU, Linear
    assert.equal((await page.$$('[data-testid=feature-map]')).length, 3);
    const gradPoints = await page.$$eval('[data-testid=grad-norm-chart]', (charts) =>
      charts.map((c) => Number(c.getAttribute('data-points'))),
    );
    assert.deepEqual(gradPoints, [157, 157]);
    const dead = await page.$$eval('[data-testid=dead-relu-chart]', (charts) =>
      charts.map((c) => Number(c.getAttribute('data-last'))),
    );
    assert.equal(dead.length, 1);
    assert.ok(dead[0]! >= 0 && dead[0]! < 1, `dead fraction ${dead[0]}`);
    // The first layer's 128 units as 28×28 tiles, 16 to a row with 1-pixel gaps.
    const weights = await page.$eval('[data-testid=first-weights]', (c) => [
      (c as HTMLCanvasElement).width,
      (c as HTMLCanvasElement).height,
    ]);
    assert.deepEqual(weights, [16 * 29 - 1, 8 * 29 - 1]);
    // Picking another image changes the address and the prediction shown.
    await page.fill('[data-testid=image-index]', '7');
    await page.press('[data-testid=image-index]', 'Enter');
    await page.waitForFunction(() => location.hash.endsWith('&image=7'));
    await page.waitForFunction(() =>
      /^image 7:/.test(document.querySelector('[data-testid=picked] p')?.textContent ?? ''),
    );
    // Or one of the thumbnails, the first validation image of each class.
    assert.equal((await page.$$('[data-testid=thumbnails] .thumbnail')).length, 10);
    const trouser = await page.getAttribute('.thumbnail[title^="Trouser"]', 'data-index');
    await page.click('.thumbnail[title^="Trouser"]');
    await page.waitForFunction((index) => location.hash.endsWith(`&image=${index}`), trouser);
    await page.waitForFunction(() =>
      /^image \d+: Trouser;/.test(document.querySelector('[data-testid=picked] p')?.textContent ?? ''),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'inside-mlp.png'), fullPage: true });

    // Back in Train through Inside's link: still the same finished run. Augmentation is one more
    // field of the address, and changing it starts a fresh run.
    await page.click('text=The Train view of this run');
    await waitFor(page, `${app('data-done')} === 'true'`);
    assert.equal(await attribute(page, 'data-steps'), '157');
    await page.fill('[data-testid=augment]', 'rotate=10,flip');
    await page.press('[data-testid=augment]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('augment=rotate=10,flip'));
    await waitFor(page, `${app('data-val-points')} === '1' && ${app('data-done')} === 'false'`);
    await page.click('[data-testid=step]');
    await waitFor(page, `Number(${app('data-steps')}) > 0`);
    await page.close();
    assert.deepEqual(playground.problems, []);
  });

  test('Inside a CNN: a feature-map canvas per layer, 3×3 kernels, and per-layer charts that fill as it trains', async () => {
    const { page } = await playground.open(CNN_INSIDE);
    const app = (name: string) => `document.querySelector('#app').getAttribute('${name}')`;
    await waitFor(page, `${app('data-maps')} === '11'`);
    const layers = await page.$$eval('[data-testid=feature-map]', (maps) =>
      maps.map((m) => m.getAttribute('data-layer')),
    );
    assert.deepEqual(layers, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    // conv1's 4 kernels, 3×3 each, in one row with 1-pixel gaps.
    const kernels = await page.$eval('[data-testid=first-weights]', (c) => [
      (c as HTMLCanvasElement).width,
      (c as HTMLCanvasElement).height,
    ]);
    assert.deepEqual(kernels, [4 * 4 - 1, 3]);
    assert.equal(
      await page.textContent('[data-testid=picked] p').then((t) => /^image 5:/.test(t ?? '')),
      true,
    );
    for (let i = 0; i < 3; i++) {
      const before = Number(await attribute(page, 'data-steps'));
      await page.click('[data-testid=step]');
      await waitFor(page, `Number(${app('data-steps')}) > ${before}`);
    }
    await waitFor(page, `Number(${app('data-stat-steps')}) === Number(${app('data-steps')})`);
    const steps = Number(await attribute(page, 'data-steps'));
    const charts = await page.$$eval('[data-testid$=-chart]', (all) =>
      all.map(
        (c) =>
          [
            c.getAttribute('data-testid'),
            c.getAttribute('data-layer'),
            Number(c.getAttribute('data-points')),
            Number(c.getAttribute('data-last')),
          ] as const,
      ),
    );
    const names = (kind: string) => charts.filter((c) => c[0] === kind).map((c) => c[1]);
    assert.deepEqual(names('grad-norm-chart'), ['1', '4', '8', '10']);
    assert.deepEqual(names('update-ratio-chart'), ['1', '4', '8', '10']);
    assert.deepEqual(names('dead-relu-chart'), ['2', '5', '9']);
    for (const [kind, layer, points, last] of charts) {
      assert.equal(points, steps, `${kind} ${layer}`);
      assert.ok(Number.isFinite(last) && last >= 0, `${kind} ${layer}: ${last}`);
      if (kind !== 'dead-relu-chart') assert.ok(last > 0, `${kind} ${layer}: ${last}`);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'inside-cnn.png'), fullPage: true });
    await page.close();
    assert.deepEqual(playground.problems, []);
  });

  test('choosing Fashion-MNIST in the menu brings settings that suit it; Inside on a toy set has charts but no feature maps', async () => {
    const { page } = await playground.open('#/train');
    const app = (name: string) => `document.querySelector('#app').getAttribute('${name}')`;
    await waitFor(page, `${app('data-epoch')} === '0'`);
    await page.selectOption('[data-testid=dataset]', 'fashion-mnist');
    await page.waitForFunction(() =>
      /dataset=fashion-mnist&.*hidden=128&.*lr=0\.001&.*epochs=3&batchSize=64&model=mlp/.test(location.hash),
    );
    await page.waitForSelector('[data-testid=confusion]');
    assert.equal(await page.$('[data-testid=boundary]'), null);
    await page.selectOption('[data-testid=model]', 'cnn');
    await page.waitForSelector('[data-testid=channels]');
    await page.waitForFunction(() => location.hash.includes('model=cnn&channels=8,16'));

    await page.goto(playground.url + '#/inside?dataset=xor&hidden=8,8&epochs=5&image=0');
    await waitFor(page, `${app('data-maps')} === '0'`);
    assert.match(
      (await page.textContent('[data-testid=feature-maps]')) ?? '',
      /feature maps need an image dataset/,
    );
    await page.click('[data-testid=step]');
    await waitFor(page, `Number(${app('data-stat-steps')}) > 0`);
    assert.equal((await page.$$('[data-testid=grad-norm-chart]')).length, 3);
    assert.equal((await page.$$('[data-testid=dead-relu-chart]')).length, 2);
    await page.close();
    assert.deepEqual(playground.problems, []);
  });
});
