/**
 * The Descent view's plot: the surface as a heatmap with contour lines (drawn once per surface into
 * an offscreen canvas), and on top of it each racer's trajectory, its head, the start and the minima.
 */
import { SURFACES, type SurfaceName } from '../../engine/surfaces.js';
import { racerColour, viridis } from '../../ui/colours.js';
import { contourSegments } from '../../ui/contours.js';

/** Added to loss − min before the log, so that the minimum maps to a finite colour. */
const LOG_FLOOR = 1e-2;
const CONTOUR_LEVELS = 16;

/** What the plot shows of a racer. */
export interface Trail {
  xs: readonly number[];
  ys: readonly number[];
}

export class SurfacePlot {
  private background: HTMLCanvasElement | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly size: number,
  ) {}

  /** Canvas pixels of a point of the surface's domain. */
  toCanvas(surface: SurfaceName, x: number, y: number): [number, number] {
    const { domain } = SURFACES[surface];
    return [
      ((x - domain.x[0]) / (domain.x[1] - domain.x[0])) * this.size,
      ((domain.y[1] - y) / (domain.y[1] - domain.y[0])) * this.size,
    ];
  }

  /** The point of the domain under canvas pixel (px, py). */
  pixelToSurface(surface: SurfaceName, px: number, py: number): [number, number] {
    const { domain } = SURFACES[surface];
    return [
      domain.x[0] + (px / this.size) * (domain.x[1] - domain.x[0]),
      domain.y[1] - (py / this.size) * (domain.y[1] - domain.y[0]),
    ];
  }

  /** Paints the heatmap and contours of a grid of loss values (row 0 at the top). */
  setGrid(surface: SurfaceName, values: Float64Array, width: number, height: number, log: boolean): void {
    const { minValue, minima } = SURFACES[surface];
    const t = new Float64Array(values.length);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = log ? Math.log10(Math.max(values[i]! - minValue, 0) + LOG_FLOOR) : values[i]!;
      t[i] = v;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    const span = hi - lo || 1;
    const image = new ImageData(width, height);
    for (let i = 0; i < t.length; i++) {
      const [r, g, b] = viridis((t[i]! - lo) / span);
      image.data.set([r, g, b, 255], 4 * i);
    }
    const grid = document.createElement('canvas');
    grid.width = width;
    grid.height = height;
    grid.getContext('2d')!.putImageData(image, 0, 0);

    const ratio = this.canvas.width / this.size;
    const bg = document.createElement('canvas');
    bg.width = this.canvas.width;
    bg.height = this.canvas.height;
    const ctx = bg.getContext('2d')!;
    ctx.scale(ratio, ratio);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(grid, 0, 0, this.size, this.size);
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.35)';
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    const sx = this.size / (width - 1);
    const sy = this.size / (height - 1);
    for (let k = 1; k < CONTOUR_LEVELS; k++) {
      const segments = contourSegments(t, width, height, lo + (span * k) / CONTOUR_LEVELS);
      for (let i = 0; i < segments.length; i += 4) {
        ctx.moveTo(segments[i]! * sx, segments[i + 1]! * sy);
        ctx.lineTo(segments[i + 2]! * sx, segments[i + 3]! * sy);
      }
    }
    ctx.stroke();
    for (const [mx, my] of minima) {
      const [px, py] = this.toCanvas(surface, mx, my);
      star(ctx, px, py);
    }
    this.background = bg;
  }

  /** Redraws the background and every trail. */
  draw(surface: SurfaceName, start: [number, number], trails: readonly Trail[]): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (this.background) ctx.drawImage(this.background, 0, 0);
    else {
      ctx.fillStyle = '#222';
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    }
    ctx.restore();
    ctx.lineJoin = 'round';
    trails.forEach((trail, i) => {
      const n = trail.xs.length;
      if (n === 0) return;
      ctx.strokeStyle = racerColour(i);
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = 0; k < n; k++) {
        const [px, py] = this.toCanvas(surface, trail.xs[k]!, trail.ys[k]!);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      const [hx, hy] = this.toCanvas(surface, trail.xs[n - 1]!, trail.ys[n - 1]!);
      ctx.fillStyle = racerColour(i);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(hx, hy, 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
    const [sx, sy] = this.toCanvas(surface, start[0], start[1]);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(sx - 6, sy - 6);
    ctx.lineTo(sx + 6, sy + 6);
    ctx.moveTo(sx + 6, sy - 6);
    ctx.lineTo(sx - 6, sy + 6);
    ctx.stroke();
  }
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? 7 : 3;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    if (k === 0) ctx.moveTo(x + r * Math.cos(a), y + r * Math.sin(a));
    else ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}
