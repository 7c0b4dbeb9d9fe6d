/**
 * A training report from a JSONL training log (format 'descent-train-log' version 1, written by
 * `descent train --log` through JsonlLogger; the format is documented in
 * src/train/callbacks/jsonl-logger.ts). As the format asks, a last line that does not parse is
 * skipped (a write cut short), and unknown line types and fields are ignored. Browser-safe.
 */
import type { ReportEpoch, ReportStep, ReportSwitch, TrainingReport } from './training-report.js';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
const field = (record: unknown, key: string): unknown =>
  typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;

/**
 * Reads a log into a report (no evaluation: the log holds none). Throws an Error naming the line for
 * a line that is not JSON (other than the last) or a log of another format. A `begin` line starts the
 * report afresh, so a file holding several runs reports the last.
 */
export function reportFromTrainLog(
  text: string,
  options: { title?: string; config?: Record<string, unknown> | null } = {},
): TrainingReport {
  let epochs: ReportEpoch[] = [];
  let steps: ReportStep[] = [];
  let switches: ReportSwitch[] = [];
  let begin: Record<string, unknown> = {};
  let sawBegin = false;
  const lines = text.split('\n');
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      if (i === lines.length - 1) return; // a line cut short
      throw new Error(`line ${i + 1} is not JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      if (i === lines.length - 1) return;
      throw new Error(`line ${i + 1} is not a JSON object`);
    }
    const line = value as Record<string, unknown>;
    switch (line.type) {
      case 'begin':
        if (line.format !== 'descent-train-log') {
          throw new Error(
            `line ${i + 1}: the format ${JSON.stringify(line.format)} is not descent-train-log`,
          );
        }
        begin = line;
        sawBegin = true;
        epochs = [];
        steps = [];
        switches = [];
        break;
      case 'epoch':
        epochs.push({
          epoch: Number.isFinite(num(line.epoch)) ? num(line.epoch) : epochs.length + 1,
          step: num(line.step),
          loss: num(line.loss),
          accuracy: num(field(line.metrics, 'accuracy')),
          valLoss: num(line.valLoss),
          valAccuracy: num(field(line.valMetrics, 'accuracy')),
          lr: num(line.lr),
          optimizer: str(line.optimizer, '?'),
        });
        break;
      case 'step':
        if (Number.isFinite(num(line.step)))
          steps.push({ step: num(line.step), loss: num(line.loss), lr: num(line.lr) });
        break;
      case 'switch':
        switches.push({
          step: num(line.step),
          epoch: num(line.epoch),
          from: str(line.from, '?'),
          to: str(line.to, '?'),
          ...(Number.isFinite(num(line.lr)) ? { lr: num(line.lr) } : {}),
          ...(typeof line.reason === 'string' ? { reason: line.reason } : {}),
        });
        break;
      default:
      // 'resume', 'end' and types of later versions: nothing to plot.
    }
  });
  if (!sawBegin && epochs.length === 0 && steps.length === 0) {
    throw new Error('holds no descent-train-log records (no begin, epoch or step lines)');
  }
  // The steps per epoch: from the begin line, else from a whole epoch's record.
  let stepsPerEpoch = num(begin.stepsPerEpoch);
  if (!(stepsPerEpoch > 0)) {
    const first = epochs.find((e) => e.epoch > 0 && e.step > 0);
    stepsPerEpoch = first ? first.step / first.epoch : NaN;
  }
  const optimizer = typeof begin.optimizer === 'string' ? begin.optimizer : epochs[0]?.optimizer;
  return {
    title: options.title ?? 'Training report',
    summary: [
      [
        optimizer ? `optimizer ${optimizer}` : '',
        Number.isFinite(num(begin.epochs)) ? `${num(begin.epochs)} epochs planned` : '',
        Number.isInteger(stepsPerEpoch) ? `${stepsPerEpoch} steps per epoch` : '',
        typeof begin.time === 'string' ? `started ${begin.time}` : '',
      ]
        .filter((s) => s !== '')
        .join(', '),
    ].filter((s) => s !== ''),
    stepsPerEpoch: stepsPerEpoch > 0 ? stepsPerEpoch : null,
    epochs,
    steps,
    switches: switches.filter((s) => Number.isFinite(s.step)),
    config: options.config ?? null,
    evaluation: null,
  };
}
