/** The training report: its plots (values, switch markers), its HTML page, and reading it from a JSONL log. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { decode } from 'fast-png';

import { linePlotSvg } from '../../src/report/svg.js';
import { reportFromTrainLog } from '../../src/report/train-log.js';
import { trainingPlots, trainingReportHtml, type TrainingReport } from '../../src/report/training-report.js';
import { writeTrainingReport } from '../../src/report/write.js';
import { readPlotSvg } from './svg-read.js';

/** Two epochs of four steps, Adam then SGD after the first. */
function sample(): TrainingReport {
  return {
    title: 'MLP <784-16-10> & friends',
    summary: ['adam lr 0.001, switch sgd@1'],
    stepsPerEpoch: 4,
    epochs: [
      {
        epoch: 1,
        step: 4,
        loss: 1.5,
        accuracy: 0.5,
        valLoss: 1.2,
        valAccuracy: 0.6,
        lr: 0.001,
        optimizer: 'Adam',
      },
      {
        epoch: 2,
        step: 8,
        loss: 0.9,
        accuracy: 0.7,
        valLoss: 0.8,
        valAccuracy: 0.75,
        lr: 0.1,
        optimizer: 'SGD',
      },
    ],
    steps: [2.2, 1.8, 1.4, 1.2, 1.1, 1.0, 0.8, 0.7].map((loss, i) => ({
      step: i + 1,
      loss,
      lr: i < 4 ? 0.001 : 0.1,
    })),
    switches: [{ step: 4, epoch: 1, from: 'adam', to: 'sgd', lr: 0.1, reason: 'planned' }],
    config: { command: 'train', options: { optimizer: 'adam', switch: 'sgd@1', hidden: [16] } },
    evaluation: {
      split: 'test',
      loss: 0.85,
      accuracy: 5 / 7,
      samples: 7,
      classNames: ['cat', 'dog'],
      confusion: [
        [3, 1],
        [1, 2],
      ],
    },
  };
}

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

describe('training report plots', () => {
  it('plot loss, accuracy and lr against epochs, with the values given and a marker at the switch', () => {
    const report = sample();
    const plots = trainingPlots(report);
    assert.deepEqual(
      plots.map((p) => p.name),
      ['loss', 'accuracy', 'lr'],
    );
    const loss = readPlotSvg(linePlotSvg(plots[0]!.spec));
    // One pixel of the 0.6-2.2 loss axis is about 0.005: the points are where the data says.
    const expect = (
      points: [number, number][] | undefined,
      xs: number[],
      ys: number[],
      tol: number,
      what: string,
    ) => {
      assert.equal(points?.length, xs.length, what);
      points!.forEach(([x, y], i) => {
        close(x, xs[i]!, 0.02, `${what} x[${i}]`);
        close(y, ys[i]!, tol, `${what} y[${i}]`);
      });
    };
    const stepX = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => s / 4);
    expect(
      loss.series.get('train (per step)'),
      stepX,
      [2.2, 1.8, 1.4, 1.2, 1.1, 1.0, 0.8, 0.7],
      0.01,
      'per-step loss',
    );
    expect(loss.series.get('train'), [1, 2], [1.5, 0.9], 0.01, 'train loss');
    expect(loss.series.get('validation'), [1, 2], [1.2, 0.8], 0.01, 'validation loss');
    const accuracy = readPlotSvg(linePlotSvg(plots[1]!.spec));
    expect(accuracy.series.get('validation'), [1, 2], [60, 75], 0.2, 'validation accuracy (%)');
    for (const plot of [loss, accuracy]) {
      assert.equal(plot.markers.length, 1);
      close(
        plot.markers[0]!.x,
        1,
        0.01,
        'the switch marker sits at the end of epoch 1 (step 4 of 4 per epoch)',
      );
      assert.equal(plot.markers[0]!.label, 'adam → sgd (step 4)');
    }
    // The lr jumps 100x at the switch: a log axis.
    assert.equal(plots[2]!.spec.yScale, 'log');
    assert.deepEqual(Array.from(plots[2]!.spec.series[0]!.y), [
      ...Array(4).fill(0.001),
      ...Array(4).fill(0.1),
    ]);
  });

  it('leave out what was not measured, and use steps on the x axis when the steps per epoch are unknown', () => {
    const report = sample();
    report.epochs = report.epochs.map((e) => ({ ...e, accuracy: NaN, valAccuracy: NaN, valLoss: NaN }));
    report.stepsPerEpoch = null;
    const plots = trainingPlots(report);
    assert.deepEqual(
      plots.map((p) => p.name),
      ['loss', 'lr'],
    );
    assert.equal(plots[0]!.spec.xLabel, 'step');
    assert.deepEqual(
      plots[0]!.spec.series.map((s) => s.name),
      ['train (per step)', 'train'],
    );
    assert.deepEqual(plots[0]!.spec.markers, [{ x: 4, label: 'adam → sgd (step 4)', color: '#d62728' }]);
  });
});

describe('training report page', () => {
  it('is self-contained HTML with the plots, metrics, per-class table, confusion matrix, config and data', () => {
    const report = sample();
    const html = trainingReportHtml(report);
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    // Nothing from outside: no links, sources or URLs other than the SVG namespace.
    assert.doesNotMatch(html, /<link|\ssrc=|url\(|@import/);
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"']+/g))], ['http://www.w3.org/2000/svg']);
    assert.match(html, /<title>MLP &lt;784-16-10&gt; &amp; friends<\/title>/);
    // Per class: precision, recall, F1 of [[3, 1], [1, 2]].
    assert.match(
      html,
      /<tr><td>0 cat<\/td><td>0\.750<\/td><td>0\.750<\/td><td>0\.750<\/td><td>4<\/td><\/tr>/,
    );
    assert.match(
      html,
      /<tr><td>1 dog<\/td><td>0\.667<\/td><td>0\.667<\/td><td>0\.667<\/td><td>3<\/td><\/tr>/,
    );
    assert.match(html, /<td>test \(7 images\)<\/td><td>0\.8500<\/td><td>71\.43%<\/td>/);
    const cells = [...html.matchAll(/<span class="cell"[^>]*>(\d+)<\/span>/g)].map((m) => Number(m[1]));
    assert.deepEqual(cells, [3, 1, 1, 2]);
    assert.match(html, /<li>adam → sgd after step 4 \(epoch 1\), lr 0\.1000 \(planned\)<\/li>/);
    assert.match(html, /<td>--hidden<\/td><td>16<\/td>/);
    const data = /<script type="application\/json" id="descent-report">(.*)<\/script>/.exec(html)?.[1];
    assert.deepEqual(JSON.parse(data!), JSON.parse(JSON.stringify(report)));
  });

  it('keeps text that looks like markup inert, in the page and in the embedded data', () => {
    const report = sample();
    report.title = '</script><script>alert(1)</script>';
    report.epochs[0]!.loss = NaN;
    const html = trainingReportHtml(report);
    assert.equal(html.match(/<script/g)?.length, 1);
    const data = JSON.parse(
      /<script type="application\/json" id="descent-report">(.*)<\/script>/.exec(html)![1]!,
    );
    assert.equal(data.title, report.title);
    assert.equal(data.epochs[0].loss, null);
  });

  it('is written with each plot as SVG and PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-report-'));
    const written = await writeTrainingReport(join(dir, 'out'), sample());
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), [
      'accuracy.png', 'accuracy.svg', 'loss.png', 'loss.svg', 'lr.png', 'lr.svg', 'report.html',
    ]); // prettier-ignore
    assert.equal(written[0], join(dir, 'out', 'report.html'));
    const png = decode(readFileSync(join(dir, 'out', 'loss.png')));
    assert.deepEqual([png.width, png.height, png.channels], [1600, 1000, 3]);
    // The page holds the same SVG as the file.
    assert.ok(
      readFileSync(join(dir, 'out', 'report.html'), 'utf8').includes(
        readFileSync(join(dir, 'out', 'loss.svg'), 'utf8').trimEnd(),
      ),
    );
  });
});

describe('training report from a JSONL log', () => {
  const log = [
    '{"type":"begin","format":"descent-train-log","version":1,"time":"2026-01-01T00:00:00.000Z","epochs":2,"stepsPerEpoch":4,"logEvery":2,"metrics":["accuracy"],"validation":true,"optimizer":"Adam"}',
    '{"type":"step","step":2,"epoch":1,"batch":2,"loss":2.0,"lr":0.001,"gradNorm":1,"optimizer":"Adam","seconds":0.1}',
    '{"type":"step","step":4,"epoch":1,"batch":4,"loss":1.3,"lr":0.001,"gradNorm":1,"optimizer":"Adam","seconds":0.2}',
    '{"type":"switch","step":4,"epoch":1,"from":"adam","to":"sgd","lr":0.1,"reason":"planned"}',
    '{"type":"epoch","epoch":1,"step":4,"loss":1.5,"metrics":{"accuracy":0.5},"valLoss":1.2,"valMetrics":{"accuracy":0.6},"lr":0.001,"gradNorm":1,"optimizer":"Adam","seconds":1}',
    '{"type":"future-kind","x":1}',
    '{"type":"step","step":6,"epoch":2,"batch":2,"loss":1.0,"lr":0.1,"gradNorm":null,"optimizer":"SGD","seconds":0.3}',
    '{"type":"epoch","epoch":2,"step":8,"loss":0.9,"metrics":{"accuracy":0.7},"valLoss":null,"valMetrics":{},"lr":0.1,"gradNorm":1,"optimizer":"SGD","seconds":1}',
    '{"type":"end","step":8,"epo',
  ].join('\n');

  it('reads epochs, step records and switches, skipping a cut-short last line and unknown types', () => {
    const report = reportFromTrainLog(log, { title: 'run' });
    assert.equal(report.stepsPerEpoch, 4);
    assert.deepEqual(report.epochs[1], { epoch: 2, step: 8, loss: 0.9, accuracy: 0.7, valLoss: NaN, valAccuracy: NaN, lr: 0.1, optimizer: 'SGD' });
    assert.deepEqual(report.steps, [
      { step: 2, loss: 2.0, lr: 0.001 },
      { step: 4, loss: 1.3, lr: 0.001 },
      { step: 6, loss: 1.0, lr: 0.1 },
    ]);
    assert.deepEqual(report.switches, [{ step: 4, epoch: 1, from: 'adam', to: 'sgd', lr: 0.1, reason: 'planned' }]);
    assert.deepEqual(report.summary, ['optimizer Adam, 2 epochs planned, 4 steps per epoch, started 2026-01-01T00:00:00.000Z']);
    assert.equal(report.evaluation, null);
    const marker = readPlotSvg(linePlotSvg(trainingPlots(report)[0]!.spec)).markers;
    close(marker[0]!.x, 1, 0.01, 'switch marker');
  }); // prettier-ignore

  it('refuses a bad line in the middle, another format, and text that is no log', () => {
    const lines = log.split('\n');
    assert.throws(
      () => reportFromTrainLog([lines[0], '{oops', lines[1]].join('\n')),
      /^Error: line 2 is not JSON/,
    );
    assert.throws(
      () => reportFromTrainLog(lines[0]!.replace('descent-train-log', 'other')),
      /line 1: the format "other" is not descent-train-log/,
    );
    assert.throws(() => reportFromTrainLog('{"a":1}\n'), /holds no descent-train-log records/);
  });
});
