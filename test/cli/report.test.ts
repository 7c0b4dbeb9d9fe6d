import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { main } from '../../src/cli/main.js';
import type { TrainingReport } from '../../src/report/training-report.js';
import { readPlotSvg } from '../report/svg-read.js';
import { capture } from '../helpers/cli.js';

/** The report object embedded in a report.html. */
function reportData(htmlPath: string): TrainingReport {
  const html = readFileSync(htmlPath, 'utf8');
  const json = /<script type="application\/json" id="descent-report">(.*)<\/script>/.exec(html)?.[1];
  assert.ok(json, `${htmlPath} embeds no report data`);
  return JSON.parse(json) as TrainingReport;
}

describe('descent train reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-train-report-'));
  const ck = join(dir, 'ck');
  const log = join(ck, 'run.jsonl');
  const io = capture();

  test('--checkpoint DIR gets report.html and the plots, with the epochs, steps, switch and test metrics of the run', async () => {
    // 9,500 training images in batches of 128: 75 steps per epoch; Adam for one epoch, then SGD.
    const args = [
      '--epochs',
      '2',
      '--hidden',
      '16',
      '--validation',
      '500',
      '--optimizer',
      'adam',
      '--switch',
      'sgd@1',
    ];
    const code = await main(['train', ...args, '--seed', '1', '--checkpoint', ck, '--log', log], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    assert.ok(io.stdout.includes(`report written to ${join(ck, 'report.html')}`), io.stdout.join('\n'));
    for (const f of [
      'report.html',
      'loss.svg',
      'loss.png',
      'accuracy.svg',
      'accuracy.png',
      'lr.svg',
      'lr.png',
    ]) {
      assert.ok(readdirSync(ck).includes(f), f);
    }
    const data = reportData(join(ck, 'report.html'));
    assert.equal(data.stepsPerEpoch, 75);
    // The epochs are those printed.
    const printed = io.stdout.filter((l) => /^\s+[12]\s+\d/.test(l)).map((l) => l.trim().split(/\s+/));
    assert.equal(printed.length, 2);
    assert.deepEqual(
      data.epochs.map((e) => [
        String(e.epoch),
        e.loss.toFixed(4),
        `${(100 * e.accuracy).toFixed(2)}%`,
        e.valLoss.toFixed(4),
      ]),
      printed.map((p) => p.slice(0, 4)),
    );
    assert.deepEqual(
      data.epochs.map((e) => [e.step, e.optimizer]),
      [
        [75, 'Adam'],
        [150, 'SGD'],
      ],
    );
    // Every step, with the lr it used: Adam's 1e-3, then SGD's 0.1 from step 76.
    assert.deepEqual(
      data.steps.map((s) => s.step),
      Array.from({ length: 150 }, (_, i) => i + 1),
    );
    assert.deepEqual([...new Set(data.steps.slice(0, 75).map((s) => s.lr))], [0.001]);
    assert.deepEqual([...new Set(data.steps.slice(75).map((s) => s.lr))], [0.1]);
    assert.deepEqual(data.switches, [
      { step: 75, epoch: 1, from: 'adam', to: 'sgd', lr: 0.1, reason: 'planned' },
    ]);
    // The plot files show those numbers, and the switch at the end of epoch 1.
    const loss = readPlotSvg(readFileSync(join(ck, 'loss.svg'), 'utf8'));
    assert.equal(loss.markers.length, 1);
    assert.ok(Math.abs(loss.markers[0]!.x - 1) < 0.01, `marker at epoch ${loss.markers[0]!.x}`);
    assert.equal(loss.markers[0]!.label, 'adam → sgd (step 75)');
    loss.series.get('train')!.forEach(([x, y], i) => {
      assert.ok(
        Math.abs(x - (i + 1)) < 0.01 && Math.abs(y - data.epochs[i]!.loss) < 0.02,
        `train loss point ${i}: ${x}, ${y}`,
      );
    });
    const png = decode(readFileSync(join(ck, 'lr.png')));
    assert.deepEqual([png.width, png.height], [1600, 1000]);
    // The test set's confusion matrix agrees with the printed test accuracy.
    const m = /test accuracy (\d+\.\d\d)% \(([\d,]+)\/2,000\)/.exec(io.stdout.join('\n'));
    assert.ok(m);
    const e = data.evaluation!;
    assert.equal(e.samples, 2000);
    assert.equal(
      e.confusion.flat().reduce((a, b) => a + b, 0),
      2000,
    );
    assert.equal(
      e.confusion.reduce((s, row, k) => s + row[k]!, 0),
      Number(m[2]!.replace(',', '')),
    );
    assert.equal((100 * e.accuracy).toFixed(2), m[1]);
    assert.equal(e.classNames[0], 'T-shirt/top');
    // The config is the run's saved one.
    assert.deepEqual(data.config, JSON.parse(readFileSync(join(ck, 'descent-run.json'), 'utf8')));
  });

  test('descent report LOG makes the same curves from the JSONL log', async () => {
    const out = capture();
    assert.equal(await main(['report', log], out), 0, out.stderr.join('\n'));
    const html = join(ck, 'run-report', 'report.html');
    assert.equal(out.stdout[1], `report written to ${html}`);
    const fromLog = reportData(html);
    const fromRun = reportData(join(ck, 'report.html'));
    assert.deepEqual(fromLog.epochs, fromRun.epochs);
    assert.deepEqual(fromLog.switches, fromRun.switches);
    assert.equal(fromLog.stepsPerEpoch, 75);
    // The log's step records: one per 50 steps, the mean loss since the previous one.
    assert.deepEqual(
      fromLog.steps.map((s) => s.step),
      [50, 100, 150],
    );
    const mean = fromRun.steps.slice(50, 100).reduce((s, x) => s + x.loss, 0) / 50;
    assert.ok(Math.abs(fromLog.steps[1]!.loss - mean) < 1e-9);
    assert.equal(fromLog.evaluation, null);
    assert.deepEqual(fromLog.config, fromRun.config, "the run's descent-run.json beside the log");
    const marker = readPlotSvg(readFileSync(join(ck, 'run-report', 'loss.svg'), 'utf8')).markers;
    assert.ok(Math.abs(marker[0]!.x - 1) < 0.01);
  });

  test('descent report: a missing file is a usage error, a file that is not a log an error naming it', async () => {
    const missing = capture();
    assert.equal(await main(['report', join(dir, 'none.jsonl')], missing), 2);
    assert.deepEqual(missing.stderr, [`descent report: ${join(dir, 'none.jsonl')}: no such file`]);
    const notLog = join(dir, 'notes.jsonl');
    writeFileSync(notLog, 'hello\nworld\n');
    const bad = capture();
    assert.equal(await main(['report', notLog, '--out', join(dir, 'x')], bad), 1);
    assert.match(bad.stderr[0]!, /^descent report: .*notes\.jsonl: line 1 is not JSON/);
    assert.ok(!existsSync(join(dir, 'x')));
  });

  test('--report DIR without a checkpoint writes the report there only', async () => {
    const rep = join(dir, 'rep');
    const run = capture();
    assert.equal(
      await main(['train', '--epochs', '1', '--hidden', '8', '--validation', '500', '--report', rep], run),
      0,
    );
    assert.deepEqual(readdirSync(rep).sort(), [
      'accuracy.png',
      'accuracy.svg',
      'loss.png',
      'loss.svg',
      'lr.png',
      'lr.svg',
      'report.html',
    ]);
    const data = reportData(join(rep, 'report.html'));
    assert.deepEqual(data.switches, []);
    assert.equal(data.epochs.length, 1);
    assert.equal(data.config?.command, 'train');
    assert.equal((data.config?.options as Record<string, unknown>).report, rep);
  });
});
