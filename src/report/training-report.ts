/**
 * The report of a training run, as one plain object (TrainingReport) and what is drawn from it: three
 * line plots (loss, accuracy, learning rate; a dashed marker where the optimizer switched) and a
 * self-contained HTML page holding those plots as inline SVG with the run's config, its final metrics
 * and, when the model was evaluated, per-class precision, recall and F1 and the confusion matrix. The
 * page embeds the report object itself as JSON (`<script type="application/json" id="descent-report">`),
 * so the numbers behind every plot can be read back. No scripts run, nothing is loaded from outside.
 * Browser-safe: `descent train --report` and `descent report` write the files (write.ts).
 */
import { classificationReport } from '../train/metrics.js';
import { PALETTE, type LinePlotSpec, type LineSeries, type PlotMarker } from './spec.js';
import { escapeXml, linePlotSvg } from './svg.js';

/** One epoch: means over its training batches, validation after it (NaN where not measured). */
export interface ReportEpoch {
  epoch: number;
  /** Optimizer steps taken by the end of the epoch. */
  step: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** The lr at the epoch's last step. */
  lr: number;
  optimizer: string;
}

/** One step (or one JSONL step record: then the loss is a mean over the steps since the last record). */
export interface ReportStep {
  step: number;
  loss: number;
  lr: number;
}

/** An optimizer switch: `step` steps had been taken when it happened. */
export interface ReportSwitch {
  step: number;
  epoch: number;
  from: string;
  to: string;
  lr?: number;
  reason?: string;
}

/** The final evaluation on held-out data. */
export interface ReportEvaluation {
  /** 'test', 'validation'... */
  split: string;
  loss: number;
  accuracy: number;
  samples: number;
  classNames: string[];
  /** Rows: true class; columns: predicted class. */
  confusion: number[][];
}

export interface TrainingReport {
  title: string;
  /** Lines under the title: the model, the data, the optimizer... */
  summary: string[];
  /** Steps per epoch: the plots' x axis is in epochs when known, else in steps. */
  stepsPerEpoch: number | null;
  epochs: ReportEpoch[];
  steps: ReportStep[];
  switches: ReportSwitch[];
  /** The run's options ({"command", "options"} as in descent-run.json), when known. */
  config: Record<string, unknown> | null;
  evaluation: ReportEvaluation | null;
}

/** The plots of a report, by file stem. */
export type ReportPlotName = 'loss' | 'accuracy' | 'lr';

export interface ReportPlot {
  name: ReportPlotName;
  spec: LinePlotSpec;
}

const finite = (values: readonly number[]) => values.some((v) => Number.isFinite(v));

/**
 * The report's line plots against epochs (fractional for steps; against steps when the steps per
 * epoch are unknown), each with a marker at every optimizer switch. A plot with nothing to show
 * (no accuracy in the log, say) is left out.
 */
export function trainingPlots(report: TrainingReport): ReportPlot[] {
  const perEpoch = report.stepsPerEpoch !== null && report.stepsPerEpoch > 0 ? report.stepsPerEpoch : null;
  const x = (step: number) => (perEpoch ? step / perEpoch : step);
  const xLabel = perEpoch ? 'epoch' : 'step';
  const epochX = report.epochs.map((e) => (perEpoch ? e.epoch : e.step));
  const stepX = report.steps.map((s) => x(s.step));
  const markers: PlotMarker[] = report.switches.map((s) => ({
    x: x(s.step),
    label: `${s.from} → ${s.to} (step ${s.step})`,
    color: '#d62728',
  }));
  const plot = (name: ReportPlotName, spec: Omit<LinePlotSpec, 'markers' | 'xLabel'>): ReportPlot[] => {
    const series = spec.series.filter((s) => finite(Array.from(s.y)));
    return series.length === 0 ? [] : [{ name, spec: { ...spec, series, xLabel, markers } }];
  };
  const epochs = report.epochs;
  const useSteps = report.steps.length > epochs.length;
  return [
    ...plot('loss', {
      title: 'Loss',
      yLabel: 'cross-entropy loss',
      series: [
        ...(useSteps
          ? [{ name: 'train (per step)', x: stepX, y: report.steps.map((s) => s.loss), color: PALETTE[0], width: 1, opacity: 0.35 }]
          : []),
        { name: 'train', x: epochX, y: epochs.map((e) => e.loss), color: PALETTE[0] },
        { name: 'validation', x: epochX, y: epochs.map((e) => e.valLoss), color: PALETTE[1] },
      ] as LineSeries[],
    }),
    ...plot('accuracy', {
      title: 'Accuracy',
      yLabel: 'accuracy (%)',
      series: [
        { name: 'train', x: epochX, y: epochs.map((e) => 100 * e.accuracy), color: PALETTE[0] },
        { name: 'validation', x: epochX, y: epochs.map((e) => 100 * e.valAccuracy), color: PALETTE[1] },
      ],
    }),
    ...plot('lr', lrSpec(useSteps ? stepX : epochX, useSteps ? report.steps.map((s) => s.lr) : epochs.map((e) => e.lr), useSteps)),
  ]; // prettier-ignore
}

function lrSpec(x: number[], y: number[], perStep: boolean): Omit<LinePlotSpec, 'markers' | 'xLabel'> {
  const positive = y.filter((v) => Number.isFinite(v) && v > 0);
  // A log axis when the lr spans 30x or more (Adam at 1e-3, then SGD at 0.1, say).
  const log =
    positive.length === y.length &&
    positive.length > 0 &&
    Math.max(...positive) / Math.min(...positive) >= 30;
  return {
    title: 'Learning rate',
    yLabel: 'learning rate',
    yScale: log ? 'log' : 'linear',
    series: [{ name: perStep ? 'lr (per step)' : 'lr (end of epoch)', x, y, color: PALETTE[2] }],
  };
}

/** A number for a table: four decimals, or '-' when not measured. */
function fixed(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}

function percent(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : '-';
}

function table(head: string[], rows: string[][], cls = ''): string {
  const tr = (cells: string[], tag: string) =>
    `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  return `<table${cls ? ` class="${cls}"` : ''}><thead>${tr(head, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

/** A config value as it would be written on the command line. */
function optionText(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

function configSection(config: Record<string, unknown> | null): string {
  if (config === null) return '';
  const options = config.options;
  const rows =
    typeof options === 'object' && options !== null && !Array.isArray(options)
      ? Object.entries(options).map(([k, v]) => [`--${escapeXml(k)}`, escapeXml(optionText(v))])
      : [];
  return [
    '<section id="config"><h2>Configuration</h2>',
    rows.length > 0 ? table(['option', 'value'], rows, 'config') : '',
    `<details><summary>as a config file (descent ${escapeXml(String(config.command ?? 'train'))} --config FILE)</summary><pre>${escapeXml(JSON.stringify(config, null, 2))}</pre></details>`,
    '</section>',
  ].join('\n');
}

function evaluationSections(e: ReportEvaluation): string {
  const r = classificationReport(e.confusion);
  const name = (k: number) => escapeXml(`${k} ${e.classNames[k] ?? ''}`.trim());
  const classes = table(
    ['class', 'precision', 'recall', 'F1', 'support'],
    [
      ...e.confusion.map((_, k) => [name(k), fixed(r.precision[k]!, 3), fixed(r.recall[k]!, 3), fixed(r.f1[k]!, 3), String(r.support[k])]),
      ['macro average', fixed(r.macro.precision, 3), fixed(r.macro.recall, 3), fixed(r.macro.f1, 3), String(e.samples)],
    ],
    'classes',
  ); // prettier-ignore
  const max = Math.max(1, ...e.confusion.flat());
  const cells = e.confusion.map((row, t) => [
    name(t),
    ...row.map((n, p) => {
      const alpha = (n / max) * 0.85;
      const color = t === p ? `rgba(44,160,44,${alpha.toFixed(3)})` : `rgba(214,39,40,${alpha.toFixed(3)})`;
      return `<span class="cell" style="background:${color}">${n}</span>`;
    }),
  ]);
  return [
    `<section id="classes"><h2>Per class (${escapeXml(e.split)} set)</h2>`,
    classes,
    '</section>',
    `<section id="confusion"><h2>Confusion matrix (${escapeXml(e.split)} set)</h2>`,
    '<p>Rows: true class; columns: predicted class.</p>',
    table(['', ...e.confusion.map((_, k) => String(k))], cells, 'confusion'),
    '</section>',
  ].join('\n');
}

function metricsSection(report: TrainingReport): string {
  const last = report.epochs.at(-1);
  const rows: string[][] = [];
  if (last) {
    rows.push([`train (epoch ${last.epoch})`, fixed(last.loss), percent(last.accuracy)]);
    if (Number.isFinite(last.valLoss))
      rows.push([`validation (epoch ${last.epoch})`, fixed(last.valLoss), percent(last.valAccuracy)]);
  }
  const e = report.evaluation;
  if (e)
    rows.push([
      `${escapeXml(e.split)} (${e.samples.toLocaleString('en-US')} images)`,
      fixed(e.loss),
      percent(e.accuracy),
    ]);
  if (rows.length === 0) return '';
  const switches = report.switches.map(
    (s) =>
      `<li>${escapeXml(`${s.from} → ${s.to} after step ${s.step} (epoch ${s.epoch})${s.lr !== undefined && Number.isFinite(s.lr) ? `, lr ${s.lr.toPrecision(4)}` : ''}${s.reason ? ` (${s.reason})` : ''}`)}</li>`,
  );
  return [
    '<section id="metrics"><h2>Final metrics</h2>',
    table(['', 'loss', 'accuracy'], rows, 'metrics'),
    switches.length > 0 ? `<h3>Optimizer switches</h3><ul class="switches">${switches.join('')}</ul>` : '',
    '</section>',
  ].join('\n');
}

/** The report's data as JSON safe inside a <script> element (non-finite numbers as null). */
function embeddedJson(report: TrainingReport): string {
  return JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:2em auto;max-width:880px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:2px 10px;text-align:right}
td:first-child,th:first-child{text-align:left}table.config td{text-align:left}
table.confusion td{padding:0}table.confusion .cell{display:block;padding:2px 8px}
figure{margin:1em 0}svg{max-width:100%;height:auto}pre{background:#f6f6f6;padding:8px;overflow:auto}
.summary{color:#555}`;

/**
 * The report as one self-contained HTML page: the plots as inline SVG, the final metrics and
 * switches, per-class metrics and the confusion matrix when evaluated, the config, and the report
 * object itself as JSON.
 */
export function trainingReportHtml(report: TrainingReport, plots = trainingPlots(report)): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(report.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeXml(report.title)}</h1>`,
    ...report.summary.map((line) => `<p class="summary">${escapeXml(line)}</p>`),
    metricsSection(report),
    '<section id="plots"><h2>Curves</h2>',
    ...plots.map((p) => `<figure id="plot-${p.name}">\n${linePlotSvg(p.spec).trimEnd()}\n</figure>`),
    '</section>',
    report.evaluation ? evaluationSections(report.evaluation) : '',
    configSection(report.config),
    `<script type="application/json" id="descent-report">${embeddedJson(report)}</script>`,
    '</body></html>',
    '',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
