/**
 * Reads a line plot's SVG back into data coordinates, for tests: the series polylines (by their
 * <title>), the markers and the axis ticks, with pixel positions mapped back through the tick labels
 * (linear axes). Independent of the layout code: it sees only the SVG text.
 */

export interface ReadPlot {
  /** Each series' points in data coordinates, by name (a series cut into pieces is joined). */
  series: Map<string, [number, number][]>;
  /** Marker x positions in data coordinates, and their labels. */
  markers: { x: number; label: string | null }[];
}

function attr(tag: string, name: string): string | null {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? null;
}

const unescape = (s: string) =>
  s.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!,
  );

/** A linear map from pixels to values through two ticks (the first and last). */
function axis(ticks: { px: number; value: number }[]): (px: number) => number {
  if (ticks.length < 2) throw new Error(`an axis needs two tick labels, found ${ticks.length}`);
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  return (px) => a.value + ((px - a.px) * (b.value - a.value)) / (b.px - a.px);
}

export function readPlotSvg(svg: string): ReadPlot {
  const xTicks: { px: number; value: number }[] = [];
  const yTicks: { px: number; value: number }[] = [];
  for (const m of svg.matchAll(/<text class="tick-label"([^>]*)>([^<]*)<\/text>/g)) {
    const value = Number(unescape(m[2]!).replace('−', '-'));
    if (!Number.isFinite(value)) continue;
    if (attr(m[1]!, 'text-anchor') === 'middle') xTicks.push({ px: Number(attr(m[1]!, 'x')), value });
    else if (attr(m[1]!, 'text-anchor') === 'end')
      yTicks.push({ px: Number(attr(m[1]!, 'y')) - 3.85, value });
  }
  const toX = axis(xTicks);
  // Tick labels sit a fixed distance below their tick; use the tick marks' own y for the y axis.
  const yTickMarks = [...svg.matchAll(/<polyline class="tick" points="([\d.]+),([\d.]+) ([\d.]+),([\d.]+)"/g)]
    .filter((m) => m[2] === m[4])
    .map((m) => Number(m[2]));
  const yAxisTicks = yTicks.map((t, i) => ({ px: yTickMarks[i] ?? t.px, value: t.value }));
  const toY = axis(yAxisTicks);
  const series = new Map<string, [number, number][]>();
  for (const m of svg.matchAll(/<polyline class="series" points="([^"]*)"[^>]*><title>([^<]*)<\/title>/g)) {
    const name = unescape(m[2]!);
    const points = m[1]!.split(' ').map((p) => {
      const [x, y] = p.split(',').map(Number);
      return [toX(x!), toY(y!)] as [number, number];
    });
    series.set(name, [...(series.get(name) ?? []), ...points]);
  }
  const labels = [...svg.matchAll(/<text class="marker-label"[^>]*>([^<]*)<\/text>/g)].map((m) =>
    unescape(m[1]!),
  );
  const markers = [...svg.matchAll(/<polyline class="marker" points="([\d.]+),/g)].map((m, i) => ({
    x: toX(Number(m[1])),
    label: labels[i] ?? null,
  }));
  return { series, markers };
}
