/**
 * Feature-map grids: a picture of what a model computes for one input. At the top, the input image
 * and (optionally) the class probabilities as a bar list; below, one labelled section per layer, each
 * channel of the layer's output a tile. Every tile is normalised on its own (its minimum at the bottom
 * of the colour map, its maximum at the top), because channels differ in scale by orders of magnitude
 * and a shared scale would leave most of them flat; the section heading gives the layer's overall
 * range instead. A constant tile (a dead ReLU channel) is drawn at the bottom colour; NaN values (the
 * padding of reshaped 1-D activations) are left as background. Browser-safe.
 */
import { bitmapTextWidth, CAP_HEIGHT, GLYPH_ROWS } from './font.js';
import { Raster } from './raster.js';

type Rgb = [number, number, number];

/** One panel of values, channel-major: `data[(c * height + y) * width + x]`. */
export interface GridPlanes {
  data: ArrayLike<number>;
  channels: number;
  height: number;
  width: number;
}

export interface GridSection extends GridPlanes {
  /** The section's heading, e.g. '1 Conv2d  32x28x28'. */
  title: string;
  /** This section's tile size, in place of the grid's. */
  tileSize?: number;
}

export interface ProbabilityBars {
  /** Class names, in class order. */
  labels: readonly string[];
  /** Probabilities in [0, 1], in class order. */
  values: readonly number[];
  /** The true class, marked in the list, when known. */
  target?: number;
}

export type ColorMap = 'viridis' | 'gray';

export interface FeatureGridOptions {
  /** A heading over everything. */
  title?: string;
  /** The input image, values in [0, 1] (1 or 3 channels), drawn as it is. */
  input?: GridPlanes;
  /** The class probabilities, drawn as a bar list beside the input, sorted high to low. */
  probabilities?: ProbabilityBars;
  sections: readonly GridSection[];
  /** Tiles are upscaled (nearest neighbour, by an integer) to about this many pixels a side (default 56). */
  tileSize?: number;
  /** Tiles per row at most (default 16). */
  columns?: number;
  /** The colour map of the tiles (default 'viridis'). */
  colorMap?: ColorMap;
}

const MARGIN = 12;
const GAP = 3;
const TITLE_SCALE = 2;
const LABEL_SCALE = 1;
const INK: Rgb = [34, 34, 34];
const MUTED: Rgb = [110, 110, 110];
const BACKGROUND: Rgb = [255, 255, 255];
const BAR: Rgb = [160, 174, 192];
const BAR_TOP: Rgb = [31, 119, 180];
const BAR_TRACK: Rgb = [236, 239, 243];
const TARGET: Rgb = [214, 39, 40];
const BAR_WIDTH = 240;
const BAR_HEIGHT = 14;
const BAR_ROW = 20;
/** The bar list's text is drawn at twice the font size, as the headings. */
const BAR_TEXT_SCALE = 2;

/** Viridis (matplotlib's default map) at nine stops, interpolated linearly. */
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour of `t` in [0, 1] under a colour map. */
export function colorOf(t: number, map: ColorMap = 'viridis'): Rgb {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  if (map === 'gray') {
    const v = Math.round(u * 255);
    return [v, v, v];
  }
  const x = u * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as Rgb;
}

/** The finite minimum and maximum of `data[start, end)` ([NaN, NaN] when none is finite). */
export function finiteRange(data: ArrayLike<number>, start = 0, end = data.length): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

function checkPlanes(p: GridPlanes, where: string): void {
  const { channels, height, width, data } = p;
  if (![channels, height, width].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(
      `${where}: channels, height and width must be positive integers, got ${channels}x${height}x${width}`,
    );
  }
  if (data.length !== channels * height * width) {
    throw new RangeError(
      `${where}: ${channels}x${height}x${width} needs ${channels * height * width} values, got ${data.length}`,
    );
  }
}

function textHeight(scale: number): number {
  return GLYPH_ROWS * scale;
}

interface SectionLayout {
  section: GridSection;
  scale: number;
  columns: number;
  rows: number;
  tileW: number;
  tileH: number;
  /** Height of a tile with its channel label under it. */
  cellH: number;
  height: number;
}

/** Formats a value for a heading: 4 significant digits. */
function short(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/**
 * Draws the grid described by `options` and returns the image (encode it with `encodePng`).
 *
 * @example
 * const image = renderFeatureGrid({
 *   title: 'CNN on test image 0',
 *   input: { data: pixels, channels: 1, height: 28, width: 28 },
 *   probabilities: { labels: classes, values: probs, target: 9 },
 *   sections: [{ title: '1 Conv2d', data: maps, channels: 32, height: 28, width: 28 }],
 * });
 * writeFileSync('grid.png', encodePng(image));
 */
export function renderFeatureGrid(options: FeatureGridOptions): Raster {
  const {
    title,
    input,
    probabilities,
    sections,
    tileSize = 56,
    columns = 16,
    colorMap = 'viridis',
  } = options;
  if (!Number.isInteger(columns) || columns < 1)
    throw new RangeError(`renderFeatureGrid: columns must be a positive integer, got ${columns}`);
  if (!(tileSize >= 1))
    throw new RangeError(`renderFeatureGrid: tileSize must be at least 1, got ${tileSize}`);
  if (input) checkPlanes(input, 'renderFeatureGrid: input');
  sections.forEach((s, i) => checkPlanes(s, `renderFeatureGrid: section ${i} (${s.title})`));
  if (probabilities && probabilities.labels.length !== probabilities.values.length) {
    throw new RangeError(
      `renderFeatureGrid: ${probabilities.labels.length} class labels but ${probabilities.values.length} probabilities`,
    );
  }

  const titleH = textHeight(TITLE_SCALE);
  const labelH = textHeight(LABEL_SCALE);
  const layouts: SectionLayout[] = sections.map((section) => {
    const side = section.tileSize ?? tileSize;
    const scale = Math.max(1, Math.round(side / Math.max(section.height, section.width)));
    const cols = Math.min(columns, section.channels);
    const rows = Math.ceil(section.channels / cols);
    const tileW = section.width * scale;
    const tileH = section.height * scale;
    const cellH = tileH + 2 + labelH;
    return {
      section,
      scale,
      columns: cols,
      rows,
      tileW,
      tileH,
      cellH,
      height: titleH + 6 + rows * (cellH + GAP),
    };
  });

  // The header: the input image (shown at 4x the tile size at most) and the probability bars.
  const inputScale = input
    ? Math.max(1, Math.round((2 * tileSize) / Math.max(input.height, input.width)))
    : 0;
  const inputW = input ? input.width * inputScale : 0;
  const inputH = input ? input.height * inputScale : 0;
  const labelW = probabilities
    ? Math.max(...probabilities.labels.map((l) => bitmapTextWidth(`${l} (true)`) * BAR_TEXT_SCALE), 0)
    : 0;
  const barsW = probabilities ? labelW + 8 + BAR_WIDTH + 8 + bitmapTextWidth('100.00%') * BAR_TEXT_SCALE : 0;
  const barsH = probabilities ? probabilities.values.length * BAR_ROW : 0;
  const headerW = inputW + (input && probabilities ? 24 : 0) + barsW;
  const headerH = Math.max(inputH + (input ? labelH + 4 : 0), barsH);

  const sectionsW = Math.max(0, ...layouts.map((l) => l.columns * (l.tileW + GAP) - GAP));
  const sectionTitlesW = Math.max(0, ...sections.map((s) => bitmapTextWidth(s.title) * TITLE_SCALE));
  const titleW = title ? bitmapTextWidth(title) * TITLE_SCALE : 0;
  const width = MARGIN * 2 + Math.max(headerW, sectionsW, sectionTitlesW, titleW, 64);
  let height = MARGIN;
  if (title) height += titleH + 10;
  if (headerH > 0) height += headerH + 16;
  for (const l of layouts) height += l.height + 12;
  height += MARGIN - (layouts.length > 0 ? 12 : 0);

  const raster = new Raster(width, Math.max(height, 2 * MARGIN + 1), BACKGROUND);
  let y = MARGIN;
  if (title) {
    raster.drawText(title, MARGIN, y + CAP_HEIGHT * TITLE_SCALE, {
      scale: TITLE_SCALE,
      color: INK,
      bold: true,
    });
    y += titleH + 10;
  }
  if (headerH > 0) {
    let x = MARGIN;
    if (input) {
      drawImage(raster, input, x, y, inputScale);
      raster.drawText('input', x, y + inputH + 4 + CAP_HEIGHT * LABEL_SCALE, {
        scale: LABEL_SCALE,
        color: MUTED,
      });
      x += inputW + 24;
    }
    if (probabilities) drawBars(raster, probabilities, x, y, labelW);
    y += headerH + 16;
  }
  for (const l of layouts) {
    raster.drawText(l.section.title, MARGIN, y + CAP_HEIGHT * TITLE_SCALE, {
      scale: TITLE_SCALE,
      color: INK,
    });
    const top = y + titleH + 6;
    const { channels, height: h, width: w, data } = l.section;
    for (let c = 0; c < channels; c++) {
      const left = MARGIN + (c % l.columns) * (l.tileW + GAP);
      const tileTop = top + Math.floor(c / l.columns) * (l.cellH + GAP);
      drawTile(raster, data, c * h * w, h, w, left, tileTop, l.scale, colorMap);
      if (channels === 1) continue; // a single tile needs no channel number
      raster.drawText(String(c), left, tileTop + l.tileH + 2 + CAP_HEIGHT * LABEL_SCALE, {
        scale: LABEL_SCALE,
        color: MUTED,
      });
    }
    y += l.height + 12;
  }
  return raster;
}

/** One channel, normalised to its own range, upscaled by `scale`. */
function drawTile(
  raster: Raster,
  data: ArrayLike<number>,
  offset: number,
  h: number,
  w: number,
  left: number,
  top: number,
  scale: number,
  map: ColorMap,
): void {
  const [lo, hi] = finiteRange(data, offset, offset + h * w);
  const span = hi - lo;
  for (let yy = 0; yy < h; yy++) {
    for (let xx = 0; xx < w; xx++) {
      const v = data[offset + yy * w + xx]!;
      if (Number.isNaN(v)) continue;
      const t = span > 0 ? (v - lo) / span : 0;
      fillBlock(raster, left + xx * scale, top + yy * scale, scale, colorOf(t, map));
    }
  }
}

/** The input image as it is: grey for one channel, RGB for three, values clamped to [0, 1]. */
function drawImage(raster: Raster, image: GridPlanes, left: number, top: number, scale: number): void {
  const { channels, height: h, width: w, data } = image;
  const plane = h * w;
  for (let yy = 0; yy < h; yy++) {
    for (let xx = 0; xx < w; xx++) {
      const at = yy * w + xx;
      const rgb = [0, 1, 2].map((k) => {
        const v = data[(channels >= 3 ? k : 0) * plane + at]!;
        return Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
      }) as Rgb;
      fillBlock(raster, left + xx * scale, top + yy * scale, scale, rgb);
    }
  }
}

function fillBlock(raster: Raster, x: number, y: number, size: number, color: Rgb): void {
  for (let j = y; j < y + size; j++) {
    if (j < 0 || j >= raster.height) continue;
    for (let i = x; i < x + size; i++) {
      if (i < 0 || i >= raster.width) continue;
      raster.data.set(color, (j * raster.width + i) * 3);
    }
  }
}

/** The probabilities, highest first: label, a bar on a track, the percentage. */
function drawBars(raster: Raster, bars: ProbabilityBars, left: number, top: number, labelW: number): void {
  const order = bars.values.map((_, i) => i).sort((a, b) => bars.values[b]! - bars.values[a]! || a - b);
  order.forEach((k, row) => {
    const y = top + row * BAR_ROW;
    const baseline = y + Math.round((BAR_HEIGHT + CAP_HEIGHT * BAR_TEXT_SCALE) / 2);
    const isTarget = bars.target === k;
    const label = isTarget ? `${bars.labels[k]} (true)` : bars.labels[k]!;
    raster.drawText(label, left + labelW, baseline, {
      scale: BAR_TEXT_SCALE,
      color: isTarget ? TARGET : INK,
      anchor: 'end',
    });
    const x0 = left + labelW + 8;
    const p = Math.min(1, Math.max(0, bars.values[k]!));
    raster.fillRect(x0, y, x0 + BAR_WIDTH, y + BAR_HEIGHT, BAR_TRACK);
    raster.fillRect(x0, y, x0 + BAR_WIDTH * p, y + BAR_HEIGHT, row === 0 ? BAR_TOP : BAR);
    raster.drawText(`${(p * 100).toFixed(2)}%`, x0 + BAR_WIDTH + 8, baseline, {
      scale: BAR_TEXT_SCALE,
      color: INK,
    });
  });
}

/** A heading for a layer's section: its name, type, shape and value range. */
export function sectionTitle(
  name: string,
  type: string,
  shape: readonly number[],
  data: ArrayLike<number>,
): string {
  const [lo, hi] = finiteRange(data);
  return `${name} ${type}  ${shape.join('x')}  range ${short(lo)} to ${short(hi)}`;
}
