/**
 * Flat memory: 2,000 training steps with metrics, step records, checkpoints and a JSONL log leave
 * the V8 heap (after a full GC) and the RSS where they were, within generous bounds. The 10,000-step
 * version is `node --import tsx bench/memory-flat.ts`.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';

import { memoryFlat } from '../../bench/memory-flat.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const dir = makeTempDir('descent-memory-');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('memory', () => {
  it('stays flat over 2,000 training steps', (t) => {
    const report = memoryFlat(2000, dir);
    t.diagnostic(JSON.stringify(report));
    assert.ok(report.steps >= 2000);
    assert.ok(report.heap.growth < 8, `the heap grew by ${report.heap.growth} MB`);
    assert.ok(report.rss.growth < 96, `the RSS grew by ${report.rss.growth} MB`);
  });
});
