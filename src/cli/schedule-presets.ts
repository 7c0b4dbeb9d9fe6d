/**
 * The CLI's schedules: `--schedule NAME[:key=value,...]`. The CLI steps every schedule once per batch
 * (ReduceLROnPlateau once per epoch, on the validation loss), and every duration written on the
 * command line is in epochs (fractions allowed), converted to steps here, so `--schedule step:stepSize=2`
 * halves the lr every 2 epochs whatever the batch size. Options not given get defaults that fit the
 * run: cosine anneals over the whole run, one-cycle peaks at --lr, and so on.
 */
import type { SchedulerSpec } from '../optim/schedulers/registry.js';
import { SCHEDULERS } from '../optim/schedulers/registry.js';
import { UsageError } from './args.js';

export const CLI_SCHEDULES = ['none', 'constant', 'step', 'multistep', 'exponential', 'cosine', 'cosine-restarts', 'onecycle', 'cyclic', 'linear', 'polynomial', 'plateau'] as const; // prettier-ignore

/** Option names whose values are durations (epochs on the command line, steps in the scheduler). */
const DURATIONS = new Set([
  'stepSize',
  'milestones',
  'tMax',
  't0',
  'totalIters',
  'totalSteps',
  'stepSizeUp',
  'stepSizeDown',
]);

export interface RunShape {
  epochs: number;
  stepsPerEpoch: number;
  lr: number;
  warmupEpochs: number;
}

export interface ParsedSchedule {
  name: string;
  overrides: Record<string, number | number[] | string | boolean>;
}

/** Parses 'cosine' or 'step:stepSize=2,gamma=0.5' or 'multistep:milestones=2;4'. */
export function parseScheduleArg(arg: string): ParsedSchedule {
  const [name = '', rest] = splitOnce(arg, ':');
  if (!(CLI_SCHEDULES as readonly string[]).includes(name)) {
    throw new UsageError(`descent: --schedule must be one of ${CLI_SCHEDULES.join(', ')}; got '${name}'`);
  }
  const overrides: ParsedSchedule['overrides'] = {};
  if (rest !== undefined && rest.trim() !== '') {
    const valid = name === 'none' ? [] : SCHEDULERS[name]!.options;
    for (const part of rest.split(',')) {
      const [key = '', value] = splitOnce(part, '=');
      if (!valid.includes(key)) {
        throw new UsageError(
          `descent: --schedule ${name}: unknown option '${key}' in '${part}'; valid options: ${valid.join(', ') || '(none)'}`,
        );
      }
      if (value === undefined || value === '')
        throw new UsageError(`descent: --schedule ${name}: option '${key}' needs a value (${key}=...)`);
      overrides[key] = parseValue(value, `--schedule ${name}: ${key}`);
    }
  }
  return { name, overrides };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s.trim(), undefined] : [s.slice(0, i).trim(), s.slice(i + 1).trim()];
}

function parseValue(value: string, where: string): number | number[] | string | boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  if (value.includes(';')) {
    return value.split(';').map((v) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n))
        throw new UsageError(`descent: ${where}: '${v}' in '${value}' is not a number`);
      return n;
    });
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

/** The scheduler spec for a run, or null for 'none' without warm-up. */
export function scheduleSpec(parsed: ParsedSchedule, run: RunShape): SchedulerSpec | null {
  const { name } = parsed;
  const steps = (epochs: number) => Math.max(1, Math.round(epochs * run.stepsPerEpoch));
  const warmupSteps = run.warmupEpochs > 0 ? steps(run.warmupEpochs) : 0;
  const mainSteps = Math.max(1, run.epochs * run.stepsPerEpoch - warmupSteps);
  const overrides: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.overrides)) {
    if (!DURATIONS.has(k)) overrides[k] = v;
    else overrides[k] = Array.isArray(v) ? v.map((e) => steps(e)) : typeof v === 'number' ? steps(v) : v;
  }
  const defaults: Record<string, Record<string, unknown>> = {
    none: {},
    constant: { factor: 1, totalIters: 1 },
    step: { stepSize: run.stepsPerEpoch, gamma: 0.5 },
    multistep: {
      milestones: [steps(run.epochs / 2), steps((run.epochs * 3) / 4)].filter(
        (m, i, a) => i === 0 || m > a[i - 1]!,
      ),
      gamma: 0.1,
    },
    exponential: { gamma: Math.pow(0.01, 1 / mainSteps) },
    cosine: { tMax: mainSteps, etaMin: 0 },
    'cosine-restarts': { t0: run.stepsPerEpoch, tMult: 2 },
    onecycle: { maxLr: run.lr, totalSteps: mainSteps + 1 },
    cyclic: {
      baseLr: run.lr / 10,
      maxLr: run.lr,
      stepSizeUp: Math.max(1, Math.floor(run.stepsPerEpoch / 2)),
    },
    linear: { startFactor: 1, endFactor: 0.01, totalIters: mainSteps },
    polynomial: { totalIters: mainSteps, power: 1 },
    plateau: { mode: 'min', factor: 0.5, patience: 1 },
  };
  if (name === 'none') {
    if (warmupSteps === 0) return null;
    return { type: 'constant', options: defaults.constant!, warmup: { steps: warmupSteps } };
  }
  const options = { ...defaults[name], ...overrides };
  if (warmupSteps > 0) {
    if (name === 'plateau')
      throw new UsageError('descent: --warmup cannot be combined with --schedule plateau');
    return { type: name, options, warmup: { steps: warmupSteps } };
  }
  return { type: name, options };
}
