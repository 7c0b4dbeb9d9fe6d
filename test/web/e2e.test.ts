// The playground end to end in real headless Chromium (Debian's package, driven by playwright-core;
// ./harness.ts): the app is built fresh with Vite, served by `descent serve` on 127.0.0.1 (a free
// port), and each view is loaded and run. Screenshots go to test/web/artifacts/. Skipped, saying why,
// when /usr/bin/chromium is absent; .ci/run installs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { trainLog } from './fixtures.js';
import { ARTIFACTS, skipWithoutChromium as skip, startPlayground, type Playground } from './harness.js';

/** Seven racers on Rosenbrock, as a shareable address would give them. */
const RACE =
  '#/descent?surface=rosenbrock&start=-1.5,2.5&steps=300&speed=100000&racers=' +
  [
    'sgd:lr=0.001',
    'sgd:lr=0.0005,momentum=0.9',
    'adam:lr=0.05',
    'rmsprop:lr=0.005',
    'adagrad:lr=0.5',
    'lion:lr=0.01',
    'nadam:lr=0.05|sched=cosine',
    'adam:lr=0.05|switch=sgd@150s:lr=0.0005,momentum=0.9',
  ].join(';');
const SPIRAL =
  '#/train?dataset=spiral&points=400&noise=0.15&valFraction=0.25&seed=1&hidden=32,32&activation=relu' +
  '&optimizer=adam&lr=0.02&schedule=cosine&epochs=100&batchSize=32';

describe('the playground in headless Chromium', { skip }, () => {
  let playground: Playground;
  let runsDir: string;
  let problems: string[];
  const open = (hash: string) => playground.open(hash);

  before(async () => {
    runsDir = mkdtempSync(join(tmpdir(), 'descent-runs-'));
    for (const [path, text] of [
      ['adam/log.jsonl', trainLog('Adam', 12, 0.3)],
      ['adam-then-sgd/log.jsonl', trainLog('Adam', 12, 0.25, 'SGD')],
      ['sweeps/lr-0.1/sgd.jsonl', trainLog('SGD', 8, 0.15)],
    ]) {
      mkdirSync(dirname(join(runsDir, path!)), { recursive: true });
      writeFileSync(join(runsDir, path!), text!);
    }
    playground = await startPlayground(runsDir);
    problems = playground.problems;
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await playground?.close();
    rmSync(runsDir, { recursive: true, force: true });
  });

  test('each view loads without console errors, and a bad address only warns', async () => {
    for (const hash of ['', '#/descent', '#/train', '#/inside']) {
      const { page } = await open(hash);
      await page.waitForSelector('#app canvas');
      await page.waitForFunction(
        () =>
          Number(document.querySelector('#app')!.getAttribute('data-step') ?? '1') > 0 ||
          document.querySelector('#app')!.hasAttribute('data-epoch'),
      );
      await page.close();
    }
    const { page, warnings } = await open('#/descent?surface=everest&zoom=3&steps=50');
    await page.waitForFunction(
      () => document.querySelector('#app')!.getAttribute('data-finished') === 'true',
    );
    assert.match(warnings.join('\n'), /surface=everest: 'everest' is not one of/);
    assert.match(warnings.join('\n'), /ignoring unknown field 'zoom'/);
    // The address now holds the whole, valid state.
    assert.match(
      page.url(),
      /#\/descent\?surface=rosenbrock&condition=10&start=-1\.5,2\.5&racers=sgd:lr=0\.001;/,
    );
    await page.close();
    assert.deepEqual(problems, []);
  });

  test('eight racers on Rosenbrock all go downhill', async () => {
    const started = Date.now();
    const { page } = await open(RACE);
    await page.waitForFunction(
      () => document.querySelector('#app')!.getAttribute('data-finished') === 'true',
      null,
      {
        timeout: 60_000,
      },
    );
    const racers = await page.$$eval('.racer', (cards) =>
      cards.map((c) => ({
        first: Number(c.getAttribute('data-first-loss')),
        last: Number(c.getAttribute('data-last-loss')),
        error: c.getAttribute('data-error'),
      })),
    );
    assert.equal(racers.length, 8);
    for (const [i, r] of racers.entries()) {
      assert.equal(r.error, null, `racer ${i}`);
      assert.ok(r.last < r.first, `racer ${i}: loss ${r.first} → ${r.last}`);
    }
    assert.equal(await page.textContent('[data-testid=step-counter]'), 'step 300 / 300 · done');
    await page.screenshot({ path: join(ARTIFACTS, 'descent.png'), fullPage: true });
    console.log(`race of 8 × 300 steps in the browser: ${Date.now() - started} ms`);
    await page.close();
    assert.deepEqual(problems, []);
  });

  test('a change is mirrored to the address, and the address restores it', async () => {
    const { page } = await open('#/descent?steps=20');
    await page.selectOption('[data-testid=surface-select]', 'bowl');
    await page.fill('[data-testid=condition]', '100');
    await page.press('[data-testid=condition]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('surface=bowl&condition=100&start=-2.5,2'));
    await page.reload();
    assert.equal(await page.inputValue('[data-testid=surface-select]'), 'bowl');
    assert.equal(await page.inputValue('[data-testid=condition]'), '100');
    await page.waitForFunction(
      () => document.querySelector('#app')!.getAttribute('data-finished') === 'true',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'descent-bowl.png') });
    await page.close();
    assert.deepEqual(problems, []);
  });

  test('an MLP learns the spiral in the browser to at least 95% accuracy', async () => {
    const { page } = await open(SPIRAL);
    await page.waitForFunction(() => document.querySelector('#app')!.getAttribute('data-epoch') === '0');
    const started = Date.now();
    await page.click('[data-testid=play]');
    await page.waitForFunction(
      () => document.querySelector('#app')!.getAttribute('data-done') === 'true',
      null,
      {
        timeout: 90_000,
      },
    );
    const seconds = (Date.now() - started) / 1000;
    const train = Number(await page.getAttribute('#app', 'data-train-accuracy'));
    const val = Number(await page.getAttribute('#app', 'data-val-accuracy'));
    assert.ok(train >= 0.95 && val >= 0.95, `accuracy: train ${train}, validation ${val}`);
    await page.screenshot({ path: join(ARTIFACTS, 'train.png') });
    console.log(
      `spiral, 100 epochs in the browser: ${seconds.toFixed(1)} s; train ${train}, validation ${val}`,
    );
    // Step and reset: one epoch, then back to epoch 0.
    await page.click('[data-testid=reset]');
    await page.waitForFunction(() => document.querySelector('#app')!.getAttribute('data-epoch') === '0');
    await page.click('[data-testid=step]');
    await page.waitForFunction(() => document.querySelector('#app')!.getAttribute('data-epoch') === '1');
    await page.close();
    assert.deepEqual(problems, []);
  });

  test('training logs served from the runs directory open in the Runs view', async () => {
    const { page } = await open('#/runs?logs=adam/log.jsonl,adam-then-sgd/log.jsonl&metric=val-loss');
    await page.waitForFunction(() => document.querySelector('#app')!.getAttribute('data-ready') === 'true');
    assert.equal(await page.getAttribute('#app', 'data-runs'), '2');
    assert.equal(await page.getAttribute('#app', 'data-problems'), '0');
    const listed = await page.$$eval('[data-log]', (boxes) => boxes.map((b) => b.getAttribute('data-log')));
    assert.deepEqual(listed, ['adam/log.jsonl', 'adam-then-sgd/log.jsonl', 'sweeps/lr-0.1/sgd.jsonl']);
    assert.match((await page.textContent('[data-testid=run-table]')) ?? '', /Adam→SGD @120/);
    await page.check('[data-log="sweeps/lr-0.1/sgd.jsonl"]');
    await page.waitForFunction(() => document.querySelector('#app')!.getAttribute('data-runs') === '3');
    assert.match(
      decodeURIComponent(page.url()),
      /logs=adam\/log\.jsonl,adam-then-sgd\/log\.jsonl,sweeps\/lr-0\.1\/sgd\.jsonl&metric=val-loss/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'runs.png') });
    await page.close();
    assert.deepEqual(problems, []);
  });
});
