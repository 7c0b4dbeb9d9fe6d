/**
 * Axis ranges and tick marks: round steps of 1, 2 or 5 × 10^k on linear axes (as d3 and matplotlib
 * choose them), powers of ten labelled 1e-4 style on log axes, and labels short enough to read.
 * Browser-safe.
 */
import type { AxisScale } from './spec.js';

/** A tick: a grid line at `value`, labelled when `label` is non-empty; minor ticks only draw a faint line. */
export interface Tick {
  value: number;
  label: string;
  minor: boolean;
}

/** An axis: its scale, the range it spans (after rounding out), and its ticks inside that range. */
export interface Axis {
  scale: AxisScale;
  domain: [number, number];
  ticks: Tick[];
}

const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** The round step (1, 2 or 5 × 10^k) that cuts `span` into about `count` intervals. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(count, 1);
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  return Number(`${factor}e${power}`);
}

/** i·step, computed as i / (1/step) when step < 1 so that 0.1·3 prints as 0.3, not 0.30000000000000004. */
function multiple(i: number, step: number): number {
  if (step >= 1) return i * step;
  const inverse = Math.round(1 / step);
  return Math.abs(inverse * step - 1) < 1e-12 ? i / inverse : i * step;
}

/** Round values in [low, high], about `count` of them, every one a multiple of the same round step. */
export function linearTicks(low: number, high: number, count = 6): number[] {
  if (!(high > low)) return Number.isFinite(low) ? [low] : [];
  const step = niceStep(high - low, count);
  const first = Math.ceil(low / step - 1e-9);
  const last = Math.floor(high / step + 1e-9);
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(multiple(i, step) || 0);
  return out;
}

/** Widens [low, high] to multiples of its tick step (d3's `nice`), so the frame ends on labelled values. */
export function niceLinearDomain(low: number, high: number, count = 6): [number, number] {
  if (low === high) {
    const pad = Math.abs(low) * 0.1 || 1;
    [low, high] = [low - pad, high + pad];
  }
  for (let i = 0; i < 4; i++) {
    const step = niceStep(high - low, count);
    const nextLow = multiple(Math.floor(low / step + 1e-9), step);
    const nextHigh = multiple(Math.ceil(high / step - 1e-9), step);
    if (nextLow === low && nextHigh === high) break;
    [low, high] = [nextLow, nextHigh];
  }
  return [low, high];
}

/** 10^k as a tick label: 1, 10, 100 written out, every other power as 1e-4, 1e5. */
export function formatPowerOfTen(k: number): string {
  return k >= 0 && k <= 2 ? String(10 ** k) : `1e${k}`;
}

/** A short label for `value` on an axis whose ticks are `step` apart: 0.25, 1200, 2.5e-5. */
export function formatTick(value: number, step: number): string {
  if (value === 0 || Object.is(value, -0)) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const digits = Math.max(0, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step) + 1e-9));
    return compactExponential(value.toExponential(Math.min(digits, 15)));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 20));
}

/** '2.50e-5' → '2.5e-5', '1.0e+4' → '1e4'. */
function compactExponential(text: string): string {
  const [mantissa, exponent] = text.split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return `${m}e${Number(exponent)}`;
}

/** A number as a short label (4 significant digits), e.g. for a marker: 0.003162 → '3.162e-3'. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-2) return compactExponential(value.toExponential(digits - 1));
  return String(Number(value.toPrecision(digits)));
}

/**
 * Ticks of a log axis over [low, high] (both > 0): a labelled tick at each power of ten (every second or
 * third one when there are more than ten) with faint minor ticks at 2–9 × 10^k; on a range under two
 * decades, labelled ticks at 1, 2 and 5 × 10^k, or round linear ticks if even those are too few.
 */
export function logTicks(low: number, high: number): Tick[] {
  const first = Math.ceil(Math.log10(low) - 1e-9);
  const last = Math.floor(Math.log10(high) + 1e-9);
  const inside = (v: number) => v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9);
  const decades = last - first + 1;
  if (decades >= 2) {
    const every = Math.ceil(decades / 10);
    const ticks: Tick[] = [];
    for (let k = first; k <= last; k++) {
      ticks.push({
        value: Number(`1e${k}`),
        label: k % every === 0 ? formatPowerOfTen(k) : '',
        minor: false,
      });
    }
    if (last - first <= 8) {
      for (let k = first - 1; k <= last; k++) {
        for (let m = 2; m <= 9; m++) {
          const value = Number(`${m}e${k}`);
          if (inside(value)) ticks.push({ value, label: '', minor: true });
        }
      }
    }
    return ticks.sort((a, b) => a.value - b.value);
  }
  const ticks: Tick[] = [];
  for (let k = first - 1; k <= last; k++) {
    for (const m of [1, 2, 5]) {
      const value = Number(`${m}e${k}`);
      if (inside(value)) ticks.push({ value, label: formatNumber(value, 1), minor: false });
    }
  }
  if (ticks.length >= 2) return ticks;
  const values = linearTicks(low, high, 4);
  const step = values.length > 1 ? values[1]! - values[0]! : high - low;
  return values.map((value) => ({ value, label: formatTick(value, step), minor: false }));
}

/**
 * The axis for some data: a fixed `range` as given, else the finite values' extent (positive ones on a
 * log axis) rounded out to round ticks (whole powers of ten on a log axis). `count` is the number of
 * linear intervals to aim for.
 */
export function buildAxis(
  values: Iterable<number>,
  scale: AxisScale,
  range: [number, number] | undefined,
  count: number,
): Axis {
  let domain: [number, number];
  if (range) {
    domain = [range[0], range[1]];
  } else {
    let low = Infinity;
    let high = -Infinity;
    for (const v of values) {
      if (!Number.isFinite(v) || (scale === 'log' && !(v > 0))) continue;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    if (low > high) [low, high] = scale === 'log' ? [1, 10] : [0, 1];
    if (scale === 'log') {
      const a = Math.floor(Math.log10(low) + 1e-9);
      const b = Math.max(Math.ceil(Math.log10(high) - 1e-9), a + 1);
      domain = [Number(`1e${a}`), Number(`1e${b}`)];
    } else {
      domain = niceLinearDomain(low, high, count);
    }
  }
  if (scale === 'log') return { scale, domain, ticks: logTicks(domain[0], domain[1]) };
  const tickValues = linearTicks(domain[0], domain[1], count);
  const step = tickValues.length > 1 ? tickValues[1]! - tickValues[0]! : domain[1] - domain[0];
  return {
    scale,
    domain,
    ticks: tickValues.map((value) => ({ value, label: formatTick(value, step), minor: false })),
  };
}
