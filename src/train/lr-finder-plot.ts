/**
 * The plot of a learning-rate range test: loss against learning rate on a log axis, with the
 * suggestions marked. Browser-safe; write it with `writePlot` (report/write.ts) or render it with
 * `linePlotSvg` / `linePlotPng`.
 */
import type { LinePlotSpec } from '../report/spec.js';
import { formatNumber } from '../report/ticks.js';
import type { LrFinderResult } from './lr-finder.js';

/**
 * A plot spec for a finder's result: the raw minibatch losses (faint), the moving average, the
 * lag-free trend the suggestions come from, and dashed markers at the suggested lr and at minLossLr/10.
 * The y range spans the curve up to its starting plateau, so the blow-up leaves through the top.
 *
 * @example
 * await writePlot('lr-find.png', lrFinderPlotSpec(findLearningRate({ model, optimizer, loss, data })));
 */
export function lrFinderPlotSpec(result: LrFinderResult, options: { title?: string } = {}): LinePlotSpec {
  const { lrs, losses, smoothed, trend } = result;
  const finite = (v: number) => Number.isFinite(v);
  const lowest = Math.min(...[...losses, ...trend].filter(finite));
  // The highest the curve is before it starts to rise: its level up to the minimum.
  const end = Math.max(1, lrs.indexOf(result.minLossLr) + 1);
  const plateau = Math.max(...[...trend.slice(0, end), ...smoothed.slice(0, end)].filter(finite));
  let yRange: [number, number] | undefined;
  if (Number.isFinite(lowest) && Number.isFinite(plateau) && plateau > lowest) {
    const pad = (plateau - lowest) * 0.08;
    yRange = [lowest >= 0 ? Math.max(0, lowest - pad) : lowest - pad, plateau + 2 * pad];
  }
  return {
    title: options.title ?? 'Learning-rate range test',
    xLabel: 'learning rate',
    yLabel: 'loss',
    xScale: 'log',
    series: [
      { name: 'minibatch loss', x: lrs, y: losses, color: '#7f7f7f', width: 1, opacity: 0.45 },
      { name: 'moving average', x: lrs, y: smoothed, color: '#ff7f0e', width: 1.5 },
      { name: 'trend (centred fit)', x: lrs, y: trend, color: '#1f77b4', width: 2.5 },
    ],
    markers: [
      { x: result.suggestedLr, label: `suggested ${formatNumber(result.suggestedLr, 3)}`, color: '#d62728' },
      {
        x: result.conservativeLr,
        label: `min/10 ${formatNumber(result.conservativeLr, 3)}`,
        color: '#2ca02c',
      },
    ],
    ...(yRange ? { yRange } : {}),
  };
}
