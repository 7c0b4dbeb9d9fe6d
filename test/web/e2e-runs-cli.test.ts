// The Runs view on a log written by the real CLI: `descent train --log` trains a small MLP on the
// embedded subset, `descent serve` serves the log, and the curves the view draws go through exactly
// the log's values: the plotted values equal the JSONL's, the canvas positions follow them, and the
// canvas has the run's colour at every plotted point. Headless Chromium (./harness.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, ROOT, skipWithoutChromium, startPlayground, type Playground } from './harness.js';

interface Plotted {
  label: string;
  colour: string;
  /** [x, y, canvas x, canvas y] of each point. */
  points: [number, number, number, number][];
}

/** The series the Runs chart drew, and the canvas's colours around each point (RGB, 0-255). */
async function plotted(page: Page): Promise<{ series: Plotted[]; colours: number[][][][] }> {
  const series = JSON.parse(
    (await page.getAttribute('[data-testid=runs-chart]', 'data-plotted')) ?? '[]',
  ) as Plotted[];
  // The 5×5 device pixels around each point (a point at the plot's edge sits on the clip boundary, where
  // the 1.5-pixel line is cut).
  const colours = (await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid=runs-chart]');
    const ratio = canvas.width / parseFloat(canvas.style.width);
    const ctx = canvas.getContext('2d');
    return ${JSON.stringify(series)}.map((s) => s.points.map(([, , x, y]) => {
      const d = ctx.getImageData(Math.round(x * ratio) - 2, Math.round(y * ratio) - 2, 5, 5).data;
      const pixels = [];
      for (let i = 0; i < d.length; i += 4) pixels.push([d[i], d[i + 1], d[i + 2]]);
      return pixels;
    }));
  })()`)) as number[][][][];
  return { series, colours };
}

function hexColour(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** Positions proportional to the values: (p_i − p_0)/(p_n − p_0) = (v_i − v_0)/(v_n − v_0). */
function assertProportional(positions: number[], values: number[], what: string): void {
  const n = values.length - 1;
  for (let i = 0; i <= n; i++) {
    const expected = (values[i]! - values[0]!) / (values[n]! - values[0]!);
    const actual = (positions[i]! - positions[0]!) / (positions[n]! - positions[0]!);
    assert.ok(Math.abs(actual - expected) < 1e-6, `${what} ${i}: ${actual} vs ${expected}`);
  }
}

describe('the Runs view on a log written by descent train', { skip: skipWithoutChromium }, () => {
  let playground: Playground;
  let runsDir: string;
  let lines: Record<string, unknown>[];

  before(async () => {
    runsDir = mkdtempSync(join(tmpdir(), 'descent-runs-'));
    mkdirSync(join(runsDir, 'cli'));
    const log = join(runsDir, 'cli', 'adam.jsonl');
    // 8,333 training images (the rest validate) in batches of 64: 131 steps an epoch, a step line every 50.
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/bin.ts'),
        'train',
        ...['--epochs', '2', '--hidden', '32', '--batch-size', '64', '--optimizer', 'adam', '--seed', '3'],
        ...['--log', log],
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    playground = await startPlayground(runsDir);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await playground?.close();
    rmSync(runsDir, { recursive: true, force: true });
  });

  test('per epoch and per step, the curve goes through the values of the log', async () => {
    const epochs = lines.filter((l) => l.type === 'epoch');
    const steps = lines.filter((l) => l.type === 'step');
    assert.equal(epochs.length, 2);
    assert.ok(steps.length >= 5, `${steps.length} step lines`);

    for (const [query, rows, x, y] of [
      ['metric=val-loss&x=epoch&logY=false', epochs, 'epoch', 'valLoss'],
      ['metric=loss&x=step&logY=false', steps, 'step', 'loss'],
    ] as const) {
      const { page } = await playground.open(`#/runs?logs=cli/adam.jsonl&${query}`);
      await page.waitForFunction(() => document.querySelector('#app')!.getAttribute('data-ready') === 'true');
      assert.equal(await page.getAttribute('#app', 'data-runs'), '1');
      assert.equal(await page.getAttribute('#app', 'data-problems'), '0');
      const { series, colours } = await plotted(page);
      assert.equal(series.length, 1);
      const [{ label, colour, points }] = series as [Plotted];
      assert.equal(label, 'cli/adam.jsonl');
      assert.deepEqual(
        points.map(([px, py]) => [px, py]),
        rows.map((r) => [r[x], r[y]]),
        `${query}: the plotted points are the log's`,
      );
      // Canvas x follows the step or epoch, canvas y (upwards) the value, on linear axes.
      assertProportional(
        points.map((p) => p[2]),
        rows.map((r) => r[x] as number),
        `${query}: x of point`,
      );
      assertProportional(
        points.map((p) => -p[3]),
        rows.map((r) => r[y] as number),
        `${query}: y of point`,
      );
      // The line is drawn there: next to every point a pixel has the run's colour.
      const want = hexColour(colour);
      for (const [i, pixels] of colours[0]!.entries()) {
        const distance = Math.min(...pixels.map((rgb) => Math.hypot(...rgb.map((c, k) => c - want[k]!))));
        assert.ok(
          distance < 60,
          `${query}: no pixel near point ${i} has the run's colour ${want}: ${pixels.join(' ')}`,
        );
      }
      const table = (await page.textContent('[data-testid=run-table]')) ?? '';
      assert.match(table, /Adam/);
      assert.match(
        table,
        new RegExp(`${(100 * (epochs[1]!.valMetrics as { accuracy: number }).accuracy).toFixed(1)}%`),
      );
      if (x === 'step') await page.screenshot({ path: join(ARTIFACTS, 'runs-cli-log.png') });
      await page.close();
    }
    assert.deepEqual(playground.problems, []);
  });
});
