/** A small canvas line chart: a few series over a shared x axis, linear or log y, with a legend. */
import { fmt } from './dom.js';

export interface Series {
  /** Legend text. */
  label: string;
  /** CSS colour. */
  colour: string;
  /** y values at x = 0, 1, 2, ... (times `xScale`), or at `xs`. */
  values: ArrayLike<number>;
  /** The x of each value, when they are not 0, 1, 2, ... */
  xs?: ArrayLike<number>;
  /** Dashed line. */
  dashed?: boolean;
}

export interface ChartOptions {
  /** Title at the top left. */
  title?: string;
  /** Log-scaled y axis (non-positive values are skipped). */
  logY?: boolean;
  /** A log axis spans at most this many decades below the largest value (default 8). */
  maxDecades?: number;
  /** Fixed y range; default: the data's. */
  yRange?: [number, number];
  /** The x value of index i is i·xScale (e.g. epochs per point). */
  xScale?: number;
  /** Text for the x axis. */
  xLabel?: string;
  /** Background colour. */
  background?: string;
  /**
   * Record what was drawn on the canvas as `data-plotted`: per series its label and the points
   * [x, y, canvas x, canvas y] (CSS pixels) the line goes through, for tests and tools to read back.
   */
  record?: boolean;
}

/** Draws `series` into `canvas` (a hiDpiCanvas), replacing what was there. */
export function drawChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions = {}): void {
  const ctx = canvas.getContext('2d')!;
  const width = parseFloat(canvas.style.width) || canvas.width;
  const height = parseFloat(canvas.style.height) || canvas.height;
  const { title, logY = false, xScale = 1, xLabel, background = '#ffffff' } = options;
  ctx.save();
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);
  const pad = { left: 44, right: 8, top: title ? 20 : 8, bottom: xLabel ? 28 : 18 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const tf = (v: number) => (logY ? Math.log10(v) : v);
  let lo = Infinity;
  let hi = -Infinity;
  let xMax = 1;
  for (const s of series) {
    xMax = Math.max(xMax, s.xs ? Math.max(...Array.from(s.xs)) : (s.values.length - 1) * xScale);
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v) || (logY && v <= 0)) continue;
      lo = Math.min(lo, tf(v));
      hi = Math.max(hi, tf(v));
    }
  }
  if (logY) lo = Math.max(lo, hi - (options.maxDecades ?? 8));
  if (options.yRange) [lo, hi] = options.yRange.map(tf) as [number, number];
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  // A flat series (a constant learning rate): a range around the value that keeps its scale, so 1e-3
  // reads as 1e-3 rather than as a line at 0 of an axis from -0.5 to 0.5.
  if (hi - lo < 1e-12) {
    const half = Math.abs(lo) > 1e-12 ? Math.abs(lo) * 0.5 : 0.5;
    [lo, hi] = [lo - half, hi + half];
  }
  const xOf = (s: Series, i: number) => (s.xs ? s.xs[i]! : i * xScale);
  const px = (x: number) => pad.left + (x / xMax) * plotW;
  const py = (v: number) => pad.top + (1 - (tf(v) - lo) / (hi - lo)) * plotH;

  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  ctx.strokeStyle = '#ddd';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  // Gridlines with labels: 4 on a tall chart, only the ends on a short one.
  const ticks = plotH < 70 ? 1 : 3;
  for (let k = 0; k <= ticks; k++) {
    const t = lo + ((hi - lo) * k) / ticks;
    const y = pad.top + (1 - k / ticks) * plotH;
    ctx.beginPath();
    ctx.moveTo(pad.left, y);
    ctx.lineTo(pad.left + plotW, y);
    ctx.stroke();
    ctx.fillText(fmt(logY ? 10 ** t : t, 2), pad.left - 4, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText('0', pad.left, pad.top + plotH + 3);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(xMax, 3), pad.left + plotW, pad.top + plotH + 3);
  ctx.textAlign = 'center';
  if (xLabel) ctx.fillText(xLabel, pad.left + plotW / 2, pad.top + plotH + 14);
  if (title) {
    ctx.textAlign = 'left';
    ctx.fillStyle = '#222';
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.fillText(title, pad.left, 4);
  }

  ctx.beginPath();
  ctx.rect(pad.left, pad.top, plotW, plotH);
  ctx.clip();
  ctx.lineWidth = 1.5;
  const plotted: { label: string; colour: string; points: [number, number, number, number][] }[] = [];
  for (const s of series) {
    const points: [number, number, number, number][] = [];
    plotted.push({ label: s.label, colour: s.colour, points });
    ctx.strokeStyle = s.colour;
    ctx.setLineDash(s.dashed ? [4, 3] : []);
    ctx.beginPath();
    let pen = false;
    // Long series: draw at most ~2 points per pixel.
    const stride = Math.max(1, Math.floor(s.values.length / (plotW * 2)));
    for (let i = 0; i < s.values.length; i += stride) {
      const v = s.values[i]!;
      if (!Number.isFinite(v) || (logY && v <= 0)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(px(xOf(s, i)), py(v));
      else ctx.moveTo(px(xOf(s, i)), py(v));
      if (options.record) points.push([xOf(s, i), v, px(xOf(s, i)), py(v)]);
      pen = true;
    }
    ctx.stroke();
  }
  ctx.restore();
  if (options.record) canvas.dataset.plotted = JSON.stringify(plotted);

  // Legend, top right.
  ctx.save();
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  let x = width - pad.right;
  for (const s of [...series].reverse()) {
    if (!s.label) continue;
    const w = ctx.measureText(s.label).width;
    ctx.fillStyle = '#333';
    ctx.fillText(s.label, x, 4);
    ctx.fillStyle = s.colour;
    ctx.fillRect(x - w - 12, 8, 8, 3);
    x -= w + 20;
  }
  ctx.restore();
}
