/** writePlot: the format by extension, atomic replacement, no temporary files left, unknown extensions. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { LinePlotSpec } from '../../src/report/spec.js';
import { writePlot } from '../../src/report/write.js';
import { decodePng, PNG_SIGNATURE } from './decode-png.js';

const dir = mkdtempSync(join(tmpdir(), 'descent-plot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const spec: LinePlotSpec = {
  title: 'written',
  xLabel: 'step',
  yLabel: 'loss',
  series: [{ name: 'train', x: [1, 2, 3], y: [3, 2, 1.5] }],
};

describe('writePlot', () => {
  it('writes SVG or PNG by the extension, replacing a file that is there', async () => {
    const svgPath = join(dir, 'plot.svg');
    writeFileSync(svgPath, 'old');
    await writePlot(svgPath, spec);
    const svg = readFileSync(svgPath, 'utf8');
    assert.match(svg, /^<svg /);
    assert.match(svg, />train</);

    const pngPath = join(dir, 'PLOT.PNG');
    await writePlot(pngPath, spec, { pixelRatio: 1 });
    const png = new Uint8Array(readFileSync(pngPath));
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
    assert.deepEqual([decodePng(png).width, decodePng(png).height], [800, 500]);
    assert.deepEqual(readdirSync(dir).sort(), ['PLOT.PNG', 'plot.svg'], 'no temporary files left');
  });

  it('refuses an unknown extension, and leaves nothing behind when it fails', async () => {
    await assert.rejects(writePlot(join(dir, 'plot.jpg'), spec), /use one of \.svg, \.png/);
    await assert.rejects(writePlot(join(dir, 'missing', 'plot.svg'), spec), /ENOENT/);
    await assert.rejects(
      writePlot(join(dir, 'bad.svg'), { series: [{ name: 'a', x: [1], y: [] }] }),
      /1 x values/,
    );
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp') || f.startsWith('bad')));
  });
});
