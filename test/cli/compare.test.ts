import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { capture } from '../helpers/cli.js';

describe('descent compare', () => {
  test('ranks optimizers trained from the same weights on the same batches and writes curves and histories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-compare-'));
    const io = capture();
    const plot = join(dir, 'curves.svg');
    const code = await main(
      [
        'compare',
        '--optimizers',
        'sgd,adam:lr=2e-3,adam-then-sgd',
        '--epochs',
        '2',
        '--hidden',
        '16',
        '--validation',
        '1000',
        '--plot',
        plot,
      ],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const text = io.stdout.join('\n');
    const rows = io.stdout.filter((l) => /^\s+[123]\s{2}\S/.test(l));
    assert.equal(rows.length, 3, text);
    const valLosses = rows.map((l) => Number(l.trim().split(/\s+/)[2]));
    assert.deepEqual(
      [...valLosses].sort((a, b) => a - b),
      valLosses,
      'ranked by final validation loss',
    );
    assert.match(text, /adam-then-sgd: .*switched adam→sgd after epoch 1/);

    const svg = readFileSync(plot, 'utf8');
    assert.match(svg, /<svg/);
    for (const name of ['sgd (validation)', 'adam:lr=2e-3 (validation)', 'adam-then-sgd (train)'])
      assert.ok(svg.includes(name), name);
    const json = JSON.parse(readFileSync(join(dir, 'curves.json'), 'utf8'));
    assert.equal(json.runs.length, 3);
    for (const run of json.runs) assert.equal(run.history.length, 2);
    assert.equal(json.runs[2].switches[0].from, 'adam');
    assert.equal(json.runs[2].switches[0].to, 'sgd');
  });

  test('the same optimizer twice gives the same curve (same weights, same data order)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-compare-'));
    const io = capture();
    const plot = join(dir, 'same.png');
    const args = [
      'compare',
      '--optimizers',
      'adam,adam',
      '--epochs',
      '1',
      '--hidden',
      '8',
      '--validation',
      '500',
      '--plot',
      plot,
    ];
    assert.equal(await main(args, io), 0, io.stderr.join('\n'));
    const json = JSON.parse(readFileSync(join(dir, 'same.json'), 'utf8'));
    const curve = (i: number) => json.runs[i].history.map((e: { valLoss: number }) => e.valLoss);
    assert.deepEqual(curve(0), curve(1));
    const png = readFileSync(plot);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  test('bad optimizer names and plot paths are usage errors', async () => {
    let io = capture();
    assert.equal(await main(['compare', '--optimizers', 'sgd,adamm'], io), 2);
    assert.match(io.stderr[0]!, /--optimizers must be one of sgd, adam, .*adam-then-sgd; got 'adamm'/);
    io = capture();
    assert.equal(await main(['compare', '--plot', 'out.pdf'], io), 2);
    assert.match(io.stderr[0]!, /--plot must end in \.svg or \.png/);
  });
});
