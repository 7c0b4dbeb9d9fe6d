import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { encode as encodePngFile } from 'fast-png';

import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { decodeImage } from '../../src/data/decode.js';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    progress: { isTTY: false, write: () => true },
  };
}

describe('descent augment --preview', () => {
  it('writes a grid: one row per sample, the original then the augmented versions, upscaled x3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-augment-'));
    const path = join(dir, 'sub', 'grid.png');
    const io = capture();
    const code = await main(['augment', '--preview', path, '--samples', '2', '--count', '3', '--augment', 'rotate=15,crop=2,flip'], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    assert.match(io.stdout.join('\n'), /rows: T-shirt\/top, Trouser/);
    assert.match(io.stdout.join('\n'), /Compose\(\[Rotation\(-15\.\.15 degrees, fill 0\), RandomCrop\(padding 2, fill 0\), HorizontalFlip\(p 0\.5\)\]\)/);
    const grid = decodeImage(readFileSync(path), path, { grayscale: true });
    // 2 + 84 (original) + 8 + 3 x (84 + 2) wide, 2 + 2 x (84 + 2) high.
    assert.deepEqual([grid.width, grid.height], [352, 174]);
    // The original cell of row 0 is the first T-shirt (label 0), each pixel repeated 3x3.
    const { train } = await loadEmbeddedFashionMnist();
    const first = train.labels.indexOf(0);
    for (const [y, x] of [
      [0, 0],
      [14, 14],
      [27, 5],
      [10, 20],
    ] as const) {
      const expected = train.images[first * 784 + y * 28 + x]! / 255;
      for (const [dy, dx] of [
        [0, 0],
        [2, 2],
      ]) {
        const value = grid.data[(2 + 3 * y + dy) * grid.width + 2 + 3 * x + dx]!;
        assert.ok(Math.abs(value - expected) < 1e-6, `pixel (${y}, ${x})`);
      }
    }
  });

  it('is reproducible for a seed and changes with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-augment-'));
    const run = async (name: string, seed: number): Promise<Buffer> => {
      const path = join(dir, name);
      assert.equal(await main(['augment', '--preview', path, '--samples', '3', '--count', '2', '--seed', String(seed)], capture()), 0);
      return readFileSync(path);
    };
    const a = await run('a.png', 1);
    assert.deepEqual(await run('b.png', 1), a);
    assert.notDeepEqual(await run('c.png', 2), a);
  });

  it('previews an image folder, in colour', async () => {
    const root = mkdtempSync(join(tmpdir(), 'descent-augment-folder-'));
    for (const [name, rgb] of [
      ['red', [255, 0, 0]],
      ['blue', [0, 0, 255]],
    ] as const) {
      mkdirSync(join(root, name));
      const data = new Uint8Array(10 * 12 * 3);
      for (let p = 0; p < 120; p++) data.set(rgb, p * 3);
      writeFileSync(join(root, name, 'x.png'), encodePngFile({ width: 12, height: 10, channels: 3, depth: 8, data }));
    }
    const path = join(root, 'grid.png');
    const io = capture();
    assert.equal(await main(['augment', '--preview', path, '--folder', root, '--count', '2', '--augment', 'flip', '--scale', '2'], io), 0, io.stderr.join('\n'));
    const grid = decodeImage(readFileSync(path), path);
    assert.deepEqual([grid.width, grid.height], [2 + 24 + 8 + 2 * 26, 2 + 2 * 22]);
    // Row 0 is 'blue' (classes sorted), row 1 'red'.
    const plane = grid.width * grid.height;
    const at = (y: number, x: number): number[] => [0, 1, 2].map((c) => grid.data[c * plane + y * grid.width + x]!);
    assert.deepEqual(at(5, 5), [0, 0, 1]);
    assert.deepEqual(at(30, 5), [1, 0, 0]);
  });

  it('explains bad usage with exit code 2', async () => {
    let io = capture();
    assert.equal(await main(['augment'], io), 2);
    assert.match(io.stderr.join('\n'), /--preview PATH\.png is required/);
    io = capture();
    assert.equal(await main(['augment', '--preview', 'x.jpg'], io), 2);
    assert.match(io.stderr.join('\n'), /--preview must end in \.png/);
    io = capture();
    assert.equal(await main(['augment', '--preview', 'x.png', '--augment', 'rotation=5'], io), 2);
    assert.match(io.stderr.join('\n'), /unknown augmentation 'rotation' \(did you mean 'rotate'\?\); valid: brightness=B/);
    io = capture();
    assert.equal(await main(['augment', '--help'], io), 0);
    assert.match(io.stdout.join('\n'), /resized-crop=S/);
  });
});
