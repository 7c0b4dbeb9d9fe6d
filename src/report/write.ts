/**
 * Writing plots to files (Node only): the format follows the extension, and the file appears whole or
 * not at all (written to a temporary file beside it, then renamed over it).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

import { linePlotPng, type PngOptions } from './png-plot.js';
import type { LinePlotSpec } from './spec.js';
import { linePlotSvg } from './svg.js';
import { trainingPlots, trainingReportHtml, type TrainingReport } from './training-report.js';

/** The file extensions `writePlot` understands. */
export const PLOT_FORMATS = ['.svg', '.png'] as const;

/** Writes `data` to `path` atomically: a temporary file in the same folder, then a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a line plot to `path` as SVG or PNG, chosen by the extension (.svg, .png; any case).
 *
 * @example
 * await writePlot('lr-find.png', { xScale: 'log', xLabel: 'learning rate', yLabel: 'loss', series });
 */
export async function writePlot(
  path: string,
  spec: LinePlotSpec,
  options: Omit<PngOptions, 'deflate'> = {},
): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') return writeFileAtomic(path, linePlotSvg(spec));
  if (ext === '.png')
    return writeFileAtomic(
      path,
      linePlotPng(spec, { ...options, deflate: (data) => deflateSync(data, { level: 9 }) }),
    );
  throw new RangeError(
    `writePlot: cannot tell the format of '${path}' from its extension; use one of ${PLOT_FORMATS.join(', ')}`,
  );
}

/** The HTML file of a training report, in the report's folder. */
export const REPORT_HTML = 'report.html';

/**
 * Writes a training report into `dir` (created if needed): report.html (self-contained) and each of
 * its plots as NAME.svg and NAME.png (loss, accuracy, lr). Returns the paths written.
 */
export async function writeTrainingReport(dir: string, report: TrainingReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const plots = trainingPlots(report);
  const written: string[] = [];
  for (const plot of plots) {
    for (const ext of PLOT_FORMATS) {
      const path = join(dir, `${plot.name}${ext}`);
      await writePlot(path, plot.spec);
      written.push(path);
    }
  }
  const html = join(dir, REPORT_HTML);
  await writeFileAtomic(html, trainingReportHtml(report, plots));
  return [html, ...written];
}
