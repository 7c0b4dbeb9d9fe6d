/**
 * What a line plot shows, as one plain serialisable object (the TensorFlow Playground way: the whole
 * figure is data), and the checks that turn a bad spec into a clear error before anything is drawn.
 * Browser-safe.
 */

export type AxisScale = 'linear' | 'log';

/** One curve. Points whose x or y is not finite (or not positive on a log axis) are skipped, leaving a gap. */
export interface LineSeries {
  /** Shown in the legend. */
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** `#rgb` or `#rrggbb`; by default the next colour of the palette (matplotlib's tab10). */
  color?: string;
  /** Stroke width in CSS pixels (default 2). */
  width?: number;
  /** Stroke opacity in [0, 1] (default 1): a faint raw curve under a bold smoothed one, say. */
  opacity?: number;
}

/** A vertical line at `x`, e.g. the suggested learning rate, with an optional label at its top. */
export interface PlotMarker {
  x: number;
  label?: string;
  /** `#rgb` or `#rrggbb` (default a dark grey). */
  color?: string;
}

/** A whole line plot. */
export interface LinePlotSpec {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Default 'linear'. Log axes get ticks at powers of ten labelled 1e-4 style. */
  xScale?: AxisScale;
  /** Default 'linear'. */
  yScale?: AxisScale;
  series: LineSeries[];
  markers?: PlotMarker[];
  /** Fixed x range [low, high]; by default the data's range, widened to round tick values. */
  xRange?: [number, number];
  /** Fixed y range [low, high]; curves leaving it are clipped at the frame. */
  yRange?: [number, number];
  /** Size in CSS pixels (default 800 × 500); a PNG has `pixelRatio` times as many pixels each way. */
  width?: number;
  height?: number;
}

/** matplotlib's tab10, the palette most readers already know. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
] as const;

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Parses `#rgb` or `#rrggbb` into [r, g, b] bytes. */
export function parseColor(color: string): [number, number, number] {
  if (!HEX_COLOR.test(color)) throw new RangeError(`plot: a color must be #rgb or #rrggbb, got '${color}'`);
  const hex = color.length === 4 ? [...color.slice(1)].map((c) => c + c).join('') : color.slice(1);
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function checkRange(name: string, range: [number, number] | undefined, scale: AxisScale): void {
  if (range === undefined) return;
  const [low, high] = Array.isArray(range) ? range : [NaN, NaN];
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new RangeError(
      `plot: ${name} must be [low, high] with finite low < high, got ${JSON.stringify(range)}`,
    );
  }
  if (scale === 'log' && !(low > 0)) {
    throw new RangeError(`plot: ${name} must be positive on a log axis, got [${low}, ${high}]`);
  }
}

function checkScale(name: string, scale: unknown): AxisScale {
  if (scale === undefined) return 'linear';
  if (scale !== 'linear' && scale !== 'log')
    throw new RangeError(`plot: ${name} must be 'linear' or 'log', got ${JSON.stringify(scale)}`);
  return scale;
}

function checkSize(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 200 && value <= 8000))
    throw new RangeError(`plot: ${name} must be an integer in [200, 8000] pixels, got ${value}`);
  return value;
}

/** A spec with its defaults filled in; every check has passed. */
export interface ResolvedSpec extends LinePlotSpec {
  xScale: AxisScale;
  yScale: AxisScale;
  width: number;
  height: number;
  series: (LineSeries & { color: string; width: number; opacity: number })[];
  markers: (PlotMarker & { color: string })[];
}

/** Checks a spec and fills in the defaults; every problem gets an error naming the field. */
export function resolveSpec(spec: LinePlotSpec): ResolvedSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('plot: the spec must be an object');
  const xScale = checkScale('xScale', spec.xScale);
  const yScale = checkScale('yScale', spec.yScale);
  checkRange('xRange', spec.xRange, xScale);
  checkRange('yRange', spec.yRange, yScale);
  if (!Array.isArray(spec.series)) throw new TypeError('plot: series must be an array');
  const series = spec.series.map((s, i) => {
    const where = `plot: series[${i}]`;
    if (typeof s?.name !== 'string') throw new TypeError(`${where} needs a name`);
    if (s.x?.length === undefined || s.y?.length === undefined)
      throw new TypeError(`${where} ('${s.name}') needs x and y arrays`);
    if (s.x.length !== s.y.length)
      throw new RangeError(`${where} ('${s.name}') has ${s.x.length} x values but ${s.y.length} y values`);
    const width = s.width ?? 2;
    if (!(width > 0 && width <= 50)) throw new RangeError(`${where} ('${s.name}'): width must be in (0, 50]`);
    const opacity = s.opacity ?? 1;
    if (!(opacity >= 0 && opacity <= 1))
      throw new RangeError(`${where} ('${s.name}'): opacity must be in [0, 1]`);
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    parseColor(color);
    return { ...s, color, width, opacity };
  });
  const markers = (spec.markers ?? []).map((m, i) => {
    if (!Number.isFinite(m?.x)) throw new RangeError(`plot: markers[${i}].x must be a finite number`);
    const color = m.color ?? '#444444';
    parseColor(color);
    return { ...m, color };
  });
  return {
    ...spec,
    xScale,
    yScale,
    width: checkSize('width', spec.width, 800),
    height: checkSize('height', spec.height, 500),
    series,
    markers,
  };
}
