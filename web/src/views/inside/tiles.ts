/**
 * Arrays as pictures: a stack of 2-D maps (a conv layer's channels, a Linear layer's weight rows as
 * 28×28 images, 3×3 kernels) as a grid of tiles, and a vector of units as a grid of cells. Drawn at
 * one canvas pixel per value and scaled up by CSS (pixelated), so even a big layer is one putImageData.
 */
import { el } from '../../ui/dom.js';

export interface TileOptions {
  /** Tiles per row. */
  columns: number;
  /** CSS pixels per value. */
  scale: number;
  /**
   * 'grey': black (the smallest value, or 0 when none is negative) to white (the largest);
   * 'diverging': orange for negative, white for 0, blue for positive, symmetric around 0.
   */
  colours: 'grey' | 'diverging';
}

/** A canvas with `tiles` maps of height × width values each (`values` tile after tile, row-major). */
export function tileCanvas(
  tiles: number,
  height: number,
  width: number,
  values: ArrayLike<number>,
  options: TileOptions,
  attributes: Record<string, string> = {},
): HTMLCanvasElement {
  const { columns, scale, colours } = options;
  const rows = Math.ceil(tiles / columns);
  const gap = 1;
  const W = columns * (width + gap) - gap;
  const H = rows * (height + gap) - gap;
  const canvas = el('canvas', { class: 'tiles', ...attributes });
  canvas.width = Math.max(1, W);
  canvas.height = Math.max(1, H);
  canvas.style.width = `${canvas.width * scale}px`;
  canvas.style.height = `${canvas.height * scale}px`;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < tiles * height * width; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const absMax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  if (lo > 0) lo = 0;
  const span = hi - lo || 1;
  const image = new ImageData(canvas.width, canvas.height);
  image.data.fill(255);
  for (let t = 0; t < tiles; t++) {
    const x0 = (t % columns) * (width + gap);
    const y0 = Math.floor(t / columns) * (height + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = values[(t * height + y) * width + x]!;
        const p = 4 * ((y0 + y) * canvas.width + x0 + x);
        if (colours === 'grey') {
          const g = Math.round((255 * (v - lo)) / span);
          image.data[p] = image.data[p + 1] = image.data[p + 2] = g;
        } else {
          const s = Math.min(1, Math.abs(v) / absMax);
          const [r, gr, b] = v < 0 ? [245, 147, 34] : [8, 119, 189];
          image.data[p] = Math.round(255 + (r - 255) * s);
          image.data[p + 1] = Math.round(255 + (gr - 255) * s);
          image.data[p + 2] = Math.round(255 + (b - 255) * s);
        }
      }
    }
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas;
}

/**
 * One layer's output (without the batch dimension) as a picture: [C, H, W] as C tiles, anything else
 * as a grid of units; at most `maxWidth` CSS pixels wide.
 */
export function featureMapCanvas(
  shape: readonly number[],
  values: Float32Array,
  maxWidth: number,
  attributes: Record<string, string> = {},
): HTMLCanvasElement {
  const colours = values.some((v) => v < 0) ? 'diverging' : 'grey';
  if (shape.length === 3) {
    const [c, h, w] = shape as [number, number, number];
    const scale = Math.max(1, Math.min(4, Math.floor(56 / w)));
    const columns = Math.max(1, Math.min(c, Math.floor((maxWidth + scale) / ((w + 1) * scale))));
    return tileCanvas(c, h, w, values, { columns, scale, colours }, attributes);
  }
  const units = values.length;
  const scale = units > 256 ? 4 : 10;
  const columns = Math.max(1, Math.min(units, Math.floor(maxWidth / scale)));
  const rows = Math.ceil(units / columns);
  const padded = new Float32Array(rows * columns);
  padded.set(values);
  // Units as one tile of rows × columns, without gaps between cells.
  return tileCanvas(1, rows, columns, padded, { columns: 1, scale, colours }, attributes);
}
