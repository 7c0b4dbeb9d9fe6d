import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { capture } from '../helpers/cli.js';

describe('descent lr-find', () => {
  test('prints a suggestion inside the swept range, below the divergence point, and writes the curve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-lr-find-'));
    const plot = join(dir, 'lr.svg');
    const io = capture();
    const code = await main(['lr-find', '--hidden', '32', '--steps', '120', '--plot', plot], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    const text = io.stdout.join('\n');
    const suggested = Number(/suggested lr (\S+)/.exec(text)![1]);
    const conservative = Number(/conservative lr (\S+)/.exec(text)![1]);
    // Where the sweep stopped on divergence, the suggestion lies below that lr; else below the end.
    const stopped = /passed 4 × its best .* at lr (\S+)/.exec(text);
    const divergedAt = stopped ? Number(stopped[1]) : 10;
    assert.match(text, /(stopped at step \d+ of 120|completed the sweep from 1e-7 to 10 in 120 steps)/);
    assert.ok(suggested > 1e-7 && suggested < divergedAt, `${suggested} within (1e-7, ${divergedAt})`);
    assert.ok(conservative > 0 && conservative < divergedAt);
    const svg = readFileSync(plot, 'utf8');
    assert.match(svg, /<svg/);
    assert.match(svg, /learning rate/i);
  });

  test('a reversed range is a usage error', async () => {
    const io = capture();
    assert.equal(await main(['lr-find', '--start-lr', '1', '--end-lr', '0.1'], io), 2);
    assert.match(io.stderr[0]!, /--start-lr \(1\) must be below --end-lr \(0\.1\)/);
  });
});
