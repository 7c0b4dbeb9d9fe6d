// Reading the trainer's JSONL logs for the Runs view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunLog, runCurve } from '../../web/src/engine/run-log.js';
import { trainLog } from './fixtures.js';

test('a log gives its epochs, step records, switches and end', () => {
  const log = parseRunLog(trainLog('adam', 6, 0.5, 'sgd'));
  assert.equal(log.begin.optimizer, 'adam');
  assert.equal(log.epochs.length, 6);
  assert.equal(log.steps.length, 12);
  assert.deepEqual(log.switches, [{ step: 60, epoch: 3, from: 'adam', to: 'sgd' }]);
  assert.deepEqual(log.end, { step: 120, epoch: 6, stopReason: null });
  assert.equal(log.epochs[5]!.optimizer, 'sgd');
  const { xs, ys } = runCurve(log, 'val-accuracy', 'epoch');
  assert.deepEqual(xs, [1, 2, 3, 4, 5, 6]);
  assert.ok(ys.every((y, i) => i === 0 || y > ys[i - 1]!));
  assert.deepEqual(runCurve(log, 'loss', 'step').xs.slice(0, 3), [10, 20, 30]);
});

test('null numbers, unknown types and a cut last line are tolerated; other bad lines are not', () => {
  const text =
    '{"type":"begin","format":"descent-train-log","version":1}\n' +
    '{"type":"epoch","epoch":1,"step":5,"loss":0.5,"valLoss":null,"future":1}\n' +
    '{"type":"resume","step":5}\n{"type":"hologram"}\n{"type":"epoch","ep';
  const log = parseRunLog(text);
  assert.equal(log.epochs.length, 1);
  assert.equal(log.epochs[0]!.valLoss, null);
  assert.ok(Number.isNaN(runCurve(log, 'val-loss', 'epoch').ys[0]));
  assert.throws(() => parseRunLog('{"type":"epoch"\n{"type":"end"}\n'), /line 1 is not JSON/);
  assert.throws(() => parseRunLog('{"type":"begin","format":"other"}\n'), /not a descent-train-log/);
});
