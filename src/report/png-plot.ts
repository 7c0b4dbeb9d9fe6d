/**
 * A line plot as a PNG: the same scene as the SVG, drawn by the built-in rasterizer and encoded by the
 * built-in PNG writer. Browser-safe (the compressor is injected or found at run time).
 */
import { layoutLinePlot } from './layout.js';
import { encodePng, type Deflate } from './png.js';
import { rasterizeScene, type RgbImage } from './raster.js';
import type { LinePlotSpec } from './spec.js';

export interface PngOptions {
  /** Device pixels per CSS pixel (default 2): an 800 × 500 spec gives a 1600 × 1000 image. */
  pixelRatio?: number;
  /** zlib compressor (default node:zlib's deflateSync when available, else uncompressed blocks). */
  deflate?: Deflate;
}

/** A line plot rasterized to RGB pixels. */
export function linePlotImage(spec: LinePlotSpec, options: { pixelRatio?: number } = {}): RgbImage {
  return rasterizeScene(layoutLinePlot(spec), options.pixelRatio ?? 2);
}

/**
 * A line plot as PNG bytes: the plot `linePlotSvg` draws, rasterized with anti-aliased lines and a
 * built-in bitmap font.
 *
 * @example
 * fs.writeFileSync('loss.png', linePlotPng({ xLabel: 'step', yLabel: 'loss', series: [{ name: 'train', x, y }] }));
 */
export function linePlotPng(spec: LinePlotSpec, options: PngOptions = {}): Uint8Array {
  return encodePng(linePlotImage(spec, options), { deflate: options.deflate });
}
