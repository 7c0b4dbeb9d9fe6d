/** The Runs view's whole state: which logs are compared, and how. Mirrored to the URL. */
import { RUN_METRICS, type RunMetric } from '../engine/run-log.js';
import { booleanField, choiceField, listField, type FieldCodec, type Schema } from './codec.js';

export interface RunsState {
  /** The logs compared, as paths under the served runs directory (e.g. 'adam/log.jsonl'). */
  logs: string[];
  /** The quantity plotted. */
  metric: RunMetric;
  /** Plot against epochs (the epoch lines) or optimizer steps (the step lines, for loss, lr and grad-norm). */
  x: 'epoch' | 'step';
  /** Logarithmic y axis. */
  logY: boolean;
}

/** A relative path inside the runs directory: no empty, '.' or '..' segment, no backslash. */
const logPath: FieldCodec<string> = {
  encode: (path) => path,
  decode(text) {
    if (text.split('/').some((s) => s === '' || s === '.' || s === '..') || text.includes('\\')) {
      throw new Error(`'${text}' is not a path inside the runs directory`);
    }
    return text;
  },
};

export const RUNS_SCHEMA: Schema<RunsState> = {
  logs: listField(logPath, { max: 20 }),
  metric: choiceField(RUN_METRICS),
  x: choiceField(['epoch', 'step'] as const),
  logY: booleanField(),
};

export const RUNS_DEFAULTS: RunsState = { logs: [], metric: 'loss', x: 'epoch', logY: true };
