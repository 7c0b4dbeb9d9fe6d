/**
 * Reads the JSONL training logs that `descent train` writes (format 'descent-train-log', version 1;
 * documented in src/train/callbacks/jsonl-logger.ts). Like the format asks, a last line that does not
 * parse is skipped, and unknown line types and fields are ignored. Pure, for the Runs view and tests.
 */

/** One `epoch` line: metrics over the epoch's training batches, validation after it. */
export interface EpochLine {
  epoch: number;
  step: number;
  loss: number | null;
  metrics: Record<string, number | null>;
  valLoss: number | null;
  valMetrics: Record<string, number | null>;
  lr: number | null;
  gradNorm: number | null;
  optimizer: string | null;
}

/** One `step` line: means over the steps since the previous step line. */
export interface StepLine {
  step: number;
  epoch: number;
  loss: number | null;
  lr: number | null;
  gradNorm: number | null;
}

/** One optimizer switch. */
export interface SwitchLine {
  step: number;
  epoch: number;
  from: string;
  to: string;
}

export interface RunLog {
  /** The `begin` line's fields (optimizer, epochs, ...), or {} when it is missing. */
  begin: Record<string, unknown>;
  epochs: EpochLine[];
  steps: StepLine[];
  switches: SwitchLine[];
  /** The `end` line, or null while the run goes on (or died). */
  end: { step: number; epoch: number; stopReason: string | null } | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
function record(v: unknown): Record<string, number | null> {
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, num(x)]));
}

/** Parses a log; throws (naming the line) on a bad line other than the last, or on a foreign format. */
export function parseRunLog(text: string): RunLog {
  const log: RunLog = { begin: {}, epochs: [], steps: [], switches: [], end: null };
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(raw) as Record<string, unknown>;
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
    } catch (error) {
      if (i === lines.length - 1) return; // a line cut short by a full disk
      throw new Error(`line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
    switch (value.type) {
      case 'begin':
        if (value.format !== 'descent-train-log') {
          throw new Error(`line ${i + 1}: format '${String(value.format)}' is not a descent-train-log`);
        }
        log.begin = value;
        break;
      case 'epoch':
        log.epochs.push({
          epoch: num(value.epoch) ?? log.epochs.length + 1,
          step: num(value.step) ?? 0,
          loss: num(value.loss),
          metrics: record(value.metrics),
          valLoss: num(value.valLoss),
          valMetrics: record(value.valMetrics),
          lr: num(value.lr),
          gradNorm: num(value.gradNorm),
          optimizer: str(value.optimizer),
        });
        break;
      case 'step':
        log.steps.push({
          step: num(value.step) ?? 0,
          epoch: num(value.epoch) ?? 0,
          loss: num(value.loss),
          lr: num(value.lr),
          gradNorm: num(value.gradNorm),
        });
        break;
      case 'switch':
        log.switches.push({
          step: num(value.step) ?? 0,
          epoch: num(value.epoch) ?? 0,
          from: str(value.from) ?? '?',
          to: str(value.to) ?? '?',
        });
        break;
      case 'end':
        log.end = {
          step: num(value.step) ?? 0,
          epoch: num(value.epoch) ?? 0,
          stopReason: str(value.stopReason),
        };
        break;
      default:
      // 'resume' and types of later versions: nothing to plot.
    }
  });
  return log;
}

export const RUN_METRICS = ['loss', 'val-loss', 'accuracy', 'val-accuracy', 'lr', 'grad-norm'] as const;
export type RunMetric = (typeof RUN_METRICS)[number];

/** The curve of `metric` against epochs (from the epoch lines) or steps (from the step lines). */
export function runCurve(
  log: RunLog,
  metric: RunMetric,
  x: 'epoch' | 'step',
): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  if (x === 'step' && (metric === 'loss' || metric === 'lr' || metric === 'grad-norm')) {
    for (const s of log.steps) {
      const y = metric === 'loss' ? s.loss : metric === 'lr' ? s.lr : s.gradNorm;
      xs.push(s.step);
      ys.push(y ?? NaN);
    }
    return { xs, ys };
  }
  for (const e of log.epochs) {
    const y = {
      loss: e.loss,
      'val-loss': e.valLoss,
      accuracy: e.metrics.accuracy ?? null,
      'val-accuracy': e.valMetrics.accuracy ?? null,
      lr: e.lr,
      'grad-norm': e.gradNorm,
    }[metric];
    xs.push(x === 'epoch' ? e.epoch : e.step);
    ys.push(y ?? NaN);
  }
  return { xs, ys };
}
