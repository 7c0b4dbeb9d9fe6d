/**
 * The one place a line plot is laid out: a spec becomes a `Scene`, a flat list of rectangles, polylines
 * and text in CSS-pixel coordinates, already clipped to the frame. The SVG writer and the software
 * rasterizer only draw scenes, so the two outputs cannot disagree about where anything goes. Browser-safe.
 */
import { resolveSpec, type LinePlotSpec } from './spec.js';
import { buildAxis, type Axis, type Tick } from './ticks.js';

interface ItemBase {
  /** What the item is (grid, series, legend...), kept as the SVG element's class. */
  role: string;
}

/** A rectangle; `fill` and `stroke` are colours or absent. */
export interface RectItem extends ItemBase {
  kind: 'rect';
  x: number;
  y: number;
  width: number;
  height: number;
  fill?: string;
  fillOpacity?: number;
  stroke?: string;
  strokeWidth?: number;
}

/** An open polyline through `points` (x0, y0, x1, y1, ...), round joins and caps. */
export interface PathItem extends ItemBase {
  kind: 'path';
  points: number[];
  color: string;
  width: number;
  opacity: number;
  /** Dash and gap lengths, for dashed lines. */
  dash?: [number, number];
  /** A tooltip (the series name). */
  title?: string;
}

/** One line of text; `y` is its baseline; `rotate: -90` reads bottom to top, turning about (x, y). */
export interface TextItem extends ItemBase {
  kind: 'text';
  x: number;
  y: number;
  text: string;
  /** Font size in CSS pixels. */
  size: number;
  color: string;
  anchor: 'start' | 'middle' | 'end';
  rotate: 0 | -90;
  bold: boolean;
}

export type SceneItem = RectItem | PathItem | TextItem;

/** Everything to draw, back to front. */
export interface Scene {
  width: number;
  height: number;
  background: string;
  items: SceneItem[];
}

const TICK_SIZE = 11;
const LABEL_SIZE = 12;
const TITLE_SIZE = 16;
const LEGEND_SIZE = 11;
const TICK_LENGTH = 5;
const INK = '#222222';

/**
 * The width of `text` at font size `size`: 0.6 em a character, the advance of a monospace font, which
 * is at least that of the usual sans-serif fonts and of the rasterizer's bitmap font, so space reserved
 * by it is always enough.
 */
export function textWidth(text: string, size: number): number {
  return text.length * size * 0.6;
}

/** Where a value lands along an axis, as a fraction of the axis (0 at its start, 1 at its end). */
function fraction(axis: Axis, v: number): number {
  const [a, b] = axis.domain;
  if (axis.scale === 'log')
    return v > 0 ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a)) : NaN;
  return (v - a) / (b - a);
}

/** The middle of the pixel at or below `v`, where a one-pixel line is crisp. */
function crisp(v: number): number {
  return Math.floor(v) + 0.5;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The part of segment (x0, y0)–(x1, y1) inside `box` as [t0, t1] fractions of the segment, or null when
 * it misses the box (Liang & Barsky 1984).
 */
export function clipSegment(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  box: Box,
): [number, number] | null {
  const dx = x1 - x0;
  const dy = y1 - y0;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, x0 - box.x0],
    [dx, box.x1 - x0],
    [-dy, y0 - box.y0],
    [dy, box.y1 - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const r = q / p;
      if (p < 0) {
        if (r > t1) return null;
        if (r > t0) t0 = r;
      } else {
        if (r < t0) return null;
        if (r < t1) t1 = r;
      }
    }
  }
  return [t0, t1];
}

/**
 * A series in pixels, split into polylines at skipped points and clipped to `box`: each returned
 * polyline is a flat [x0, y0, x1, y1, ...] list.
 */
function clippedPolylines(xs: number[], ys: number[], box: Box): number[][] {
  const out: number[][] = [];
  let current: number[] | null = null;
  for (let i = 0; i + 1 < xs.length; i++) {
    const [x0, y0, x1, y1] = [xs[i]!, ys[i]!, xs[i + 1]!, ys[i + 1]!];
    const clip = Number.isFinite(x0 + y0 + x1 + y1) ? clipSegment(x0, y0, x1, y1, box) : null;
    if (!clip) {
      current = null;
      continue;
    }
    const [t0, t1] = clip;
    const ax = x0 + t0 * (x1 - x0);
    const ay = y0 + t0 * (y1 - y0);
    const bx = x0 + t1 * (x1 - x0);
    const by = y0 + t1 * (y1 - y0);
    if (!current || t0 > 0) {
      current = [ax, ay];
      out.push(current);
    }
    current.push(bx, by);
    if (t1 < 1) current = null;
  }
  // A lone finite point between gaps still shows, as a dot.
  for (let i = 0; i < xs.length; i++) {
    const isolated =
      Number.isFinite(xs[i]! + ys[i]!) &&
      !Number.isFinite((xs[i - 1] ?? NaN) + (ys[i - 1] ?? NaN)) &&
      !Number.isFinite((xs[i + 1] ?? NaN) + (ys[i + 1] ?? NaN));
    const [x, y] = [xs[i]!, ys[i]!];
    if (isolated && x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1) out.push([x, y, x, y]);
  }
  return out;
}

/** Keeps every k-th label (k = 1, 2, 3...) until neighbouring labels no longer overlap. */
function thinLabels(
  ticks: Tick[],
  position: (v: number) => number,
  minGap: number,
  extent: (t: Tick) => number,
) {
  const labelled = ticks.filter((t) => t.label !== '' && !t.minor);
  for (let every = 1; every <= labelled.length; every++) {
    const kept = labelled.filter((_, i) => i % every === 0);
    const fits = kept.every(
      (t, i) =>
        i === 0 ||
        Math.abs(position(t.value) - position(kept[i - 1]!.value)) >=
          (extent(t) + extent(kept[i - 1]!)) / 2 + minGap,
    );
    if (fits) {
      for (const t of labelled) if (!kept.includes(t)) t.label = '';
      return;
    }
  }
}

/** Lays out a line plot: checks the spec, picks the ranges and ticks, and places every mark. */
export function layoutLinePlot(spec: LinePlotSpec): Scene {
  const s = resolveSpec(spec);
  const { width: W, height: H } = s;
  const allX = s.series.flatMap((series) => Array.from(series.x));
  const allY = s.series.flatMap((series) => Array.from(series.y));
  for (const m of s.markers) allX.push(m.x);

  // Ticks first (their labels decide the left margin), with counts from a first guess at the frame.
  const yAxis = buildAxis(allY, s.yScale, s.yRange, Math.max(2, Math.round((H - 90) / 55)));
  const xAxis = buildAxis(allX, s.xScale, s.xRange, Math.max(2, Math.round((W - 120) / 95)));
  const yLabelWidth = Math.max(0, ...yAxis.ticks.map((t) => textWidth(t.label, TICK_SIZE)));
  const lastX = xAxis.ticks.filter((t) => t.label).at(-1);
  const top = s.title ? 16 + TITLE_SIZE + 12 : 16;
  const left = 10 + (s.yLabel ? LABEL_SIZE + 10 : 0) + yLabelWidth + TICK_LENGTH + 4;
  const bottom = 10 + TICK_LENGTH + 4 + TICK_SIZE + (s.xLabel ? LABEL_SIZE + 12 : 0);
  const right = Math.max(20, lastX ? textWidth(lastX.label, TICK_SIZE) / 2 + 8 : 20);
  const frame: Box = { x0: crisp(left), y0: crisp(top), x1: crisp(W - right), y1: crisp(H - bottom) };

  const px = (v: number) => frame.x0 + fraction(xAxis, v) * (frame.x1 - frame.x0);
  const py = (v: number) => frame.y1 - fraction(yAxis, v) * (frame.y1 - frame.y0);
  thinLabels(xAxis.ticks, px, 12, (t) => textWidth(t.label, TICK_SIZE));
  thinLabels(yAxis.ticks, py, 4, () => TICK_SIZE);

  const items: SceneItem[] = [];
  const grid = (role: string, color: string, points: number[]) =>
    items.push({ kind: 'path', role, points, color, width: 1, opacity: 1 });
  const inside = (v: number, lo: number, hi: number) =>
    v >= Math.min(lo, hi) - 0.5 && v <= Math.max(lo, hi) + 0.5;

  // Grid: faint minor lines under the major ones.
  for (const minor of [true, false]) {
    const color = minor ? '#f0f0f0' : '#dcdcdc';
    for (const t of xAxis.ticks.filter((t) => t.minor === minor)) {
      const x = crisp(px(t.value));
      if (inside(x, frame.x0, frame.x1))
        grid(minor ? 'grid-minor' : 'grid', color, [x, frame.y0, x, frame.y1]);
    }
    for (const t of yAxis.ticks.filter((t) => t.minor === minor)) {
      const y = crisp(py(t.value));
      if (inside(y, frame.y0, frame.y1))
        grid(minor ? 'grid-minor' : 'grid', color, [frame.x0, y, frame.x1, y]);
    }
  }

  // Series, clipped to the frame.
  const seriesPaths: number[][] = [];
  for (const series of s.series) {
    const xs = Array.from(series.x, (v) => px(v));
    const ys = Array.from(series.y, (v) => py(v));
    for (const points of clippedPolylines(xs, ys, frame)) {
      seriesPaths.push(points);
      items.push({
        kind: 'path',
        role: 'series',
        points,
        color: series.color,
        width: series.width,
        opacity: series.opacity,
        title: series.name,
      });
    }
  }

  // Markers: dashed vertical lines, labels stacked at the top, each on the side of its line where it
  // stays in the frame and crosses no other marker.
  const obstacles: Box[] = [];
  const labels: SceneItem[] = [];
  let labelRow = 0;
  const markerXs = s.markers.map((m) => px(m.x));
  for (const [index, m] of s.markers.entries()) {
    const x = markerXs[index]!;
    if (!(x >= frame.x0 - 0.5 && x <= frame.x1 + 0.5)) continue;
    items.push({
      kind: 'path',
      role: 'marker',
      points: [x, frame.y0, x, frame.y1],
      color: m.color,
      width: 1.5,
      opacity: 1,
      dash: [6, 4],
    });
    obstacles.push({ x0: x - 1, y0: frame.y0, x1: x + 1, y1: frame.y1 });
    if (!m.label) continue;
    const w = textWidth(m.label, TICK_SIZE);
    const fitsRight = x + 9 + w <= frame.x1 - 2;
    const fitsLeft = x - 9 - w >= frame.x0 + 2;
    const crosses = (a: number, b: number) => markerXs.some((o, k) => k !== index && o > a && o < b);
    const rightOfLine = fitsRight && (!crosses(x, x + 9 + w) || !fitsLeft || crosses(x - 9 - w, x));
    const baseline = frame.y0 + 16 + 16 * labelRow++;
    const box: Box = rightOfLine
      ? { x0: x + 3, y0: baseline - 12, x1: x + 9 + w, y1: baseline + 4 }
      : { x0: x - 9 - w, y0: baseline - 12, x1: x - 3, y1: baseline + 4 };
    obstacles.push(box);
    labels.push(
      {
        kind: 'rect',
        role: 'marker-label',
        x: box.x0,
        y: box.y0,
        width: box.x1 - box.x0,
        height: box.y1 - box.y0,
        fill: '#ffffff',
        fillOpacity: 0.85,
      },
      {
        kind: 'text',
        role: 'marker-label',
        x: rightOfLine ? x + 6 : x - 6,
        y: baseline,
        text: m.label,
        size: TICK_SIZE,
        color: m.color,
        anchor: rightOfLine ? 'start' : 'end',
        rotate: 0,
        bold: false,
      },
    );
  }

  // Frame, tick marks and tick labels.
  items.push({
    kind: 'rect',
    role: 'frame',
    x: frame.x0,
    y: frame.y0,
    width: frame.x1 - frame.x0,
    height: frame.y1 - frame.y0,
    stroke: '#444444',
    strokeWidth: 1,
  });
  const text = (role: string, x: number, y: number, t: string, size: number, extra: Partial<TextItem> = {}) =>
    items.push({
      kind: 'text',
      role,
      x,
      y,
      text: t,
      size,
      color: INK,
      anchor: 'middle',
      rotate: 0,
      bold: false,
      ...extra,
    });
  for (const t of xAxis.ticks) {
    const x = crisp(px(t.value));
    if (t.minor || !inside(x, frame.x0, frame.x1)) continue;
    grid('tick', '#444444', [x, frame.y1, x, frame.y1 + TICK_LENGTH]);
    if (t.label) text('tick-label', x, frame.y1 + TICK_LENGTH + 3 + TICK_SIZE * 0.8, t.label, TICK_SIZE);
  }
  for (const t of yAxis.ticks) {
    const y = crisp(py(t.value));
    if (t.minor || !inside(y, frame.y0, frame.y1)) continue;
    grid('tick', '#444444', [frame.x0 - TICK_LENGTH, y, frame.x0, y]);
    if (t.label)
      text('tick-label', frame.x0 - TICK_LENGTH - 4, y + TICK_SIZE * 0.35, t.label, TICK_SIZE, {
        anchor: 'end',
      });
  }

  // Axis labels and title.
  const midX = (frame.x0 + frame.x1) / 2;
  const midY = (frame.y0 + frame.y1) / 2;
  if (s.xLabel) text('axis-label', midX, H - 10, s.xLabel, LABEL_SIZE);
  if (s.yLabel) text('axis-label', 10 + LABEL_SIZE * 0.8, midY, s.yLabel, LABEL_SIZE, { rotate: -90 });
  if (s.title) text('title', W / 2, 16 + TITLE_SIZE * 0.8, s.title, TITLE_SIZE, { bold: true });
  items.push(...labels);

  // Legend in the corner of the frame that hides the fewest curve segments and marker labels.
  if (s.series.length > 0) {
    const row = 18;
    const width = 8 + 22 + 6 + Math.max(...s.series.map((x) => textWidth(x.name, LEGEND_SIZE))) + 8;
    const height = 6 + row * s.series.length + 2;
    const inset = 8;
    const corners: Box[] = [
      [frame.x1 - inset - width, frame.y0 + inset],
      [frame.x0 + inset, frame.y0 + inset],
      [frame.x1 - inset - width, frame.y1 - inset - height],
      [frame.x0 + inset, frame.y1 - inset - height],
    ].map(([x, y]) => ({ x0: x!, y0: y!, x1: x! + width, y1: y! + height }));
    const cost = (box: Box) => {
      let hits = 0;
      for (const p of seriesPaths)
        for (let i = 0; i + 3 < p.length; i += 2)
          if (clipSegment(p[i]!, p[i + 1]!, p[i + 2]!, p[i + 3]!, box)) hits++;
      for (const o of obstacles)
        if (o.x0 < box.x1 && o.x1 > box.x0 && o.y0 < box.y1 && o.y1 > box.y0) hits += 1000;
      return hits;
    };
    const scores = corners.map(cost);
    const box = corners[scores.indexOf(Math.min(...scores))]!;
    items.push({
      kind: 'rect',
      role: 'legend',
      x: crisp(box.x0),
      y: crisp(box.y0),
      width: Math.round(width),
      height: Math.round(height),
      fill: '#ffffff',
      fillOpacity: 0.9,
      stroke: '#bbbbbb',
      strokeWidth: 1,
    });
    s.series.forEach((series, i) => {
      const y = box.y0 + 6 + row * i + row / 2;
      items.push({
        kind: 'path',
        role: 'legend',
        points: [box.x0 + 8, y, box.x0 + 30, y],
        color: series.color,
        width: Math.max(series.width, 2),
        opacity: Math.max(series.opacity, 0.5),
      });
      text('legend', box.x0 + 36, y + LEGEND_SIZE * 0.35, series.name, LEGEND_SIZE, { anchor: 'start' });
    });
  }
  return { width: W, height: H, background: '#ffffff', items };
}
