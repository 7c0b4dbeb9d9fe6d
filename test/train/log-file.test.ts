/**
 * LogFile, the line-at-a-time file under the JSONL and CSV loggers: a resumed run cuts its log back to
 * the checkpoint's length, in the original or a copy, but never cuts into a file that is not that log.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { LogFile } from '../../src/train/callbacks/log-file.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const root = makeTempDir('descent-log-file-');
after(() => rmSync(root, { recursive: true, force: true }));

/** A log with two lines at the checkpoint and one after it; returns the path and the checkpoint's state. */
function logWithCheckpoint(name: string): { path: string; state: unknown } {
  const path = join(root, name);
  const file = new LogFile(path);
  file.open(false);
  file.append('{"type":"begin","time":"12:00"}');
  file.append('{"type":"step","step":5}');
  const state = file.stateDict();
  file.append('{"type":"step","step":10}');
  return { path, state };
}

function resumed(path: string, state: unknown): { file: LogFile; continued: boolean } {
  const file = new LogFile(path);
  file.loadStateDict(JSON.parse(JSON.stringify(state)));
  return { file, continued: file.open(true) };
}

const AT_CHECKPOINT = '{"type":"begin","time":"12:00"}\n{"type":"step","step":5}\n';

describe('LogFile on resume', () => {
  it("cuts the run's log back to the checkpoint and appends after it", () => {
    const { path, state } = logWithCheckpoint('a.jsonl');
    const { file, continued } = resumed(path, state);
    assert.equal(continued, true);
    assert.equal(readFileSync(path, 'utf8'), AT_CHECKPOINT);
    file.append('{"type":"resume"}');
    assert.equal(readFileSync(path, 'utf8'), AT_CHECKPOINT + '{"type":"resume"}\n');
    assert.equal(file.bytes, readFileSync(path).length);
  });

  it('continues a copy of the log (a run directory moved elsewhere) the same way', () => {
    const { path, state } = logWithCheckpoint('b.jsonl');
    const copy = join(root, 'b-copy.jsonl');
    copyFileSync(path, copy);
    assert.equal(resumed(copy, state).continued, true);
    assert.equal(readFileSync(copy, 'utf8'), AT_CHECKPOINT);
  });

  it("starts another run's file afresh instead of cutting into it", () => {
    const { state } = logWithCheckpoint('c.jsonl');
    const other = join(root, 'other.jsonl');
    const text = '{"type":"begin","time":"09:00"}\n' + '{"type":"step","step":1}\n'.repeat(20);
    writeFileSync(other, text);
    const { file, continued } = resumed(other, state);
    assert.equal(continued, false);
    assert.equal(readFileSync(other, 'utf8'), '');
    file.append('{"type":"begin","time":"13:00"}');
    assert.deepEqual(file.stateDict(), { bytes: 32, first: '{"type":"begin","time":"13:00"}' });
  });

  it('starts afresh when the log is gone, and trusts a checkpoint that records no first line', () => {
    const { path, state } = logWithCheckpoint('d.jsonl');
    rmSync(path);
    assert.equal(resumed(path, state).continued, false);
    const again = logWithCheckpoint('e.jsonl');
    const { bytes } = again.state as { bytes: number };
    assert.equal(resumed(again.path, { bytes }).continued, true);
    assert.equal(readFileSync(again.path, 'utf8'), AT_CHECKPOINT);
  });
});
