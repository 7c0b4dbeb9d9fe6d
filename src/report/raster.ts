/**
 * A small software rasterizer for scenes: an RGB pixel buffer, anti-aliased strokes (coverage from the
 * distance to each segment, so joins and caps come out round and a polyline never darkens where its
 * segments overlap), anti-aliased rectangle fills, and text in the built-in bitmap font. Browser-safe.
 */
import { bitmapTextWidth, CAP_HEIGHT, glyph } from './font.js';
import type { PathItem, RectItem, Scene, TextItem } from './layout.js';
import { parseColor } from './spec.js';

/** An 8-bit RGB image, row-major, 3 bytes a pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

type Rgb = [number, number, number];

/** An RGB canvas. Coordinates are in device pixels; pixel (i, j) covers [i, i+1) × [j, j+1). */
export class Raster implements RgbImage {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < this.data.length; i += 3) this.data.set(background, i);
  }

  /** Mixes `color` into pixel (x, y) with weight `alpha` in [0, 1]. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const i = (y * this.width + x) * 3;
    const a = Math.min(alpha, 1);
    for (let c = 0; c < 3; c++)
      this.data[i + c] = Math.round(this.data[i + c]! + (color[c]! - this.data[i + c]!) * a);
  }

  /** Fills [x0, x1) × [y0, y1), partly covered edge pixels in proportion. */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
    const [i0, i1] = [Math.max(0, Math.floor(x0)), Math.min(this.width, Math.ceil(x1))];
    const [j0, j1] = [Math.max(0, Math.floor(y0)), Math.min(this.height, Math.ceil(y1))];
    for (let j = j0; j < j1; j++) {
      const cy = Math.min(j + 1, y1) - Math.max(j, y0);
      for (let i = i0; i < i1; i++) {
        const cx = Math.min(i + 1, x1) - Math.max(i, x0);
        this.blend(i, j, color, cx * cy * alpha);
      }
    }
  }

  /**
   * Strokes the polyline through `points` (x0, y0, x1, y1, ...) with a line `width` pixels wide. The
   * coverage of a pixel is how far its centre lies inside the stroke, kept as the maximum over the
   * segments and blended once, so overlapping segments do not darken their joins.
   */
  strokePolyline(points: number[], width: number, color: Rgb, alpha = 1, dash?: [number, number]): void {
    const pieces = dash ? dashed(points, dash) : [points];
    const half = width / 2;
    let [bx0, by0, bx1, by1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const piece of pieces)
      for (let i = 0; i + 1 < piece.length; i += 2) {
        bx0 = Math.min(bx0, piece[i]!);
        bx1 = Math.max(bx1, piece[i]!);
        by0 = Math.min(by0, piece[i + 1]!);
        by1 = Math.max(by1, piece[i + 1]!);
      }
    const left = Math.max(0, Math.floor(bx0 - half - 1));
    const top = Math.max(0, Math.floor(by0 - half - 1));
    const right = Math.min(this.width, Math.ceil(bx1 + half + 1));
    const bottom = Math.min(this.height, Math.ceil(by1 + half + 1));
    if (right <= left || bottom <= top) return;
    const w = right - left;
    const coverage = new Float32Array(w * (bottom - top));
    for (const piece of pieces) {
      // A polyline of one point is a dot: one segment from the point to itself.
      const segments = Math.max(1, piece.length / 2 - 1);
      for (let k = 0; k < 2 * segments; k += 2) {
        const ax = piece[k]!;
        const ay = piece[k + 1]!;
        const bx = piece[k + 2] ?? ax;
        const by = piece[k + 3] ?? ay;
        const dx = bx - ax;
        const dy = by - ay;
        const length2 = dx * dx + dy * dy;
        const i0 = Math.max(left, Math.floor(Math.min(ax, bx) - half - 1));
        const i1 = Math.min(right, Math.ceil(Math.max(ax, bx) + half + 1));
        const j0 = Math.max(top, Math.floor(Math.min(ay, by) - half - 1));
        const j1 = Math.min(bottom, Math.ceil(Math.max(ay, by) + half + 1));
        for (let j = j0; j < j1; j++) {
          const py = j + 0.5;
          for (let i = i0; i < i1; i++) {
            const px = i + 0.5;
            const t = length2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2)) : 0;
            const ex = px - (ax + t * dx);
            const ey = py - (ay + t * dy);
            const c = half + 0.5 - Math.sqrt(ex * ex + ey * ey);
            if (c <= 0) continue;
            const at = (j - top) * w + (i - left);
            const value = Math.min(c, 1);
            if (value > coverage[at]!) coverage[at] = value;
          }
        }
      }
    }
    for (let j = top; j < bottom; j++)
      for (let i = left; i < right; i++) {
        const c = coverage[(j - top) * w + (i - left)]!;
        if (c > 0) this.blend(i, j, color, c * alpha);
      }
  }

  /**
   * Writes `text` in the bitmap font, each font pixel a `scale` × `scale` square, with its baseline at
   * `y`; `rotate: -90` turns it to read bottom to top about (x, y).
   */
  drawText(
    text: string,
    x: number,
    y: number,
    options: {
      scale: number;
      color: Rgb;
      anchor?: 'start' | 'middle' | 'end';
      rotate?: 0 | -90;
      bold?: boolean;
    },
  ): void {
    const { scale, color, anchor = 'start', rotate = 0, bold = false } = options;
    const advance = bitmapTextWidth(text) * scale;
    let u = Math.round(anchor === 'middle' ? -advance / 2 : anchor === 'end' ? -advance : 0);
    const x0 = Math.round(x);
    const y0 = Math.round(y);
    const square = (du: number, dv: number) => {
      // (du, dv): along the text and down from the baseline.
      if (rotate === 0) this.fillRect(x0 + du, y0 + dv, x0 + du + scale, y0 + dv + scale, color);
      else this.fillRect(x0 + dv, y0 - du - scale, x0 + dv + scale, y0 - du, color);
    };
    const strokes = bold ? [0, Math.max(1, Math.floor(scale / 2))] : [0];
    for (const char of text) {
      const g = glyph(char);
      g.rows.forEach((bits, row) => {
        for (let col = g.left; col < g.left + g.width; col++) {
          if (!(bits & (16 >> col))) continue;
          for (const extra of strokes) square(u + (col - g.left) * scale + extra, (row - CAP_HEIGHT) * scale);
        }
      });
      u += (g.width + 1) * scale;
    }
  }
}

/** Splits a polyline into its dashes: `on` pixels drawn, `off` pixels skipped, along its length. */
function dashed(points: number[], [on, off]: [number, number]): number[][] {
  const pieces: number[][] = [];
  let drawing = true;
  let left = on;
  let current: number[] | null = [points[0]!, points[1]!];
  for (let k = 0; k + 3 < points.length; k += 2) {
    let [ax, ay] = [points[k]!, points[k + 1]!];
    const [bx, by] = [points[k + 2]!, points[k + 3]!];
    let length = Math.hypot(bx - ax, by - ay);
    while (length > 0) {
      const step = Math.min(left, length);
      const t = step / length;
      ax += (bx - ax) * t;
      ay += (by - ay) * t;
      length -= step;
      left -= step;
      if (drawing) current!.push(ax, ay);
      if (left <= 1e-9) {
        drawing = !drawing;
        left = drawing ? on : off;
        if (drawing) current = [ax, ay];
        else {
          pieces.push(current!);
          current = null;
        }
      }
    }
  }
  if (drawing && current && current.length >= 4) pieces.push(current);
  return pieces;
}

/** Font pixels a glyph pixel covers at a font size (CSS px) and pixel ratio: never larger than the layout's 0.6 em advance allows. */
export function fontScale(size: number, pixelRatio: number): number {
  return Math.max(1, Math.floor((size * pixelRatio) / 10));
}

/** Draws a scene at `pixelRatio` device pixels per CSS pixel (2 gives a sharp image on high-density screens). */
export function rasterizeScene(scene: Scene, pixelRatio = 2): Raster {
  if (!(Number.isInteger(pixelRatio) && pixelRatio >= 1 && pixelRatio <= 8))
    throw new RangeError(`rasterize: pixelRatio must be an integer in [1, 8], got ${pixelRatio}`);
  const r = pixelRatio;
  const raster = new Raster(scene.width * r, scene.height * r, parseColor(scene.background));
  const rect = (item: RectItem) => {
    const [x0, y0, x1, y1] = [item.x * r, item.y * r, (item.x + item.width) * r, (item.y + item.height) * r];
    if (item.fill) raster.fillRect(x0, y0, x1, y1, parseColor(item.fill), item.fillOpacity ?? 1);
    if (item.stroke)
      raster.strokePolyline(
        [x0, y0, x1, y0, x1, y1, x0, y1, x0, y0],
        (item.strokeWidth ?? 1) * r,
        parseColor(item.stroke),
      );
  };
  const path = (item: PathItem) =>
    raster.strokePolyline(
      item.points.map((v) => v * r),
      item.width * r,
      parseColor(item.color),
      item.opacity,
      item.dash ? [item.dash[0] * r, item.dash[1] * r] : undefined,
    );
  const text = (item: TextItem) =>
    raster.drawText(item.text, item.x * r, item.y * r, {
      scale: fontScale(item.size, r),
      color: parseColor(item.color),
      anchor: item.anchor,
      rotate: item.rotate,
      bold: item.bold,
    });
  for (const item of scene.items) {
    if (item.kind === 'rect') rect(item);
    else if (item.kind === 'path') path(item);
    else text(item);
  }
  return raster;
}
