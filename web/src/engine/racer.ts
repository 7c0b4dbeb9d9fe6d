/**
 * A racer of the Descent view: an optimizer from Descent's registry with its hyperparameters, an
 * optional learning-rate schedule and an optional planned switch to another optimizer. In the URL a
 * racer is one compact spec, close to the CLI's `--optimizer` and `--switch` syntax:
 *
 *   adam:lr=0.05,betas=0.9/0.999|sched=cosine|switch=sgd@200s:lr=0.001
 */
import { optim, tensor, type Tensor } from '../../../src/browser.js';
import { SCHEDULE_PRESETS, schedulePresetSpec, type SchedulePreset } from './schedules.js';

export type OptimizerName = optim.OptimizerName;
/** A hyperparameter value: a number, a flag, or a pair such as Adam's betas. */
export type OptionValue = number | boolean | number[];

/** What one racer runs. */
export interface RacerSpec {
  /** Optimizer name in Descent's registry (`optim.OPTIMIZER_NAMES`). */
  optimizer: OptimizerName;
  /** Hyperparameters that differ from the optimizer's defaults, e.g. { lr: 0.01, momentum: 0.9 }. */
  options: Record<string, OptionValue>;
  /** Learning-rate schedule over the race, stepped once per optimizer step ('none': constant lr). */
  schedule: SchedulePreset;
  /** A planned switch in the CLI's syntax counted in steps ('sgd@200s:lr=0.001'), or '' for none. */
  switchTo: string;
}

/** The hyperparameters the editor shows: every numeric, boolean or pair option but `maximize`. */
export function editableOptions(name: OptimizerName): [string, OptionValue][] {
  return Object.entries(optim.OPTIMIZERS[name].defaults as Record<string, unknown>).filter(
    (entry): entry is [string, OptionValue] =>
      entry[0] !== 'maximize' &&
      (typeof entry[1] === 'number' || typeof entry[1] === 'boolean' || Array.isArray(entry[1])),
  );
}

/** The value of an option for a racer: its own, else the optimizer's default. */
export function optionValue(spec: RacerSpec, key: string): OptionValue | undefined {
  return spec.options[key] ?? (optim.OPTIMIZERS[spec.optimizer].defaults as Record<string, OptionValue>)[key];
}

function formatValue(value: OptionValue): string {
  return Array.isArray(value) ? value.join('/') : String(value);
}

function parseValue(key: string, text: string, like: unknown): OptionValue {
  if (typeof like === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new Error(`${key} takes true or false, got '${text}'`);
  }
  const numbers = text.split('/').map((t) => (t.trim() === '' ? NaN : Number(t)));
  if (numbers.some((n) => !Number.isFinite(n))) throw new Error(`${key}: '${text}' is not a number`);
  if (Array.isArray(like)) {
    if (numbers.length !== like.length)
      throw new Error(`${key} takes ${like.length} numbers a/b, got '${text}'`);
    return numbers;
  }
  if (numbers.length !== 1) throw new Error(`${key} takes one number, got '${text}'`);
  return numbers[0]!;
}

/** The compact form of a racer, as written in the URL. */
export function formatRacer(spec: RacerSpec): string {
  const options = Object.entries(spec.options).map(([k, v]) => `${k}=${formatValue(v)}`);
  let text = options.length > 0 ? `${spec.optimizer}:${options.join(',')}` : spec.optimizer;
  if (spec.schedule !== 'none') text += `|sched=${spec.schedule}`;
  if (spec.switchTo !== '') text += `|switch=${spec.switchTo}`;
  return text;
}

/**
 * Reads and validates a racer's compact form: the optimizer and option names against the registry,
 * the values by building the optimizer once, the switch with Descent's own spec parser.
 */
export function parseRacer(text: string): RacerSpec {
  const [head = '', ...sections] = text.split('|');
  const colon = head.indexOf(':');
  const name = (colon < 0 ? head : head.slice(0, colon)).trim().toLowerCase();
  if (!optim.isOptimizerName(name)) {
    throw new Error(`unknown optimizer '${name}'; valid: ${optim.OPTIMIZER_NAMES.join(', ')}`);
  }
  const defaults = optim.OPTIMIZERS[name].defaults as Record<string, unknown>;
  const options: Record<string, OptionValue> = {};
  const optionText = colon < 0 ? '' : head.slice(colon + 1).trim();
  for (const part of optionText === '' ? [] : optionText.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, Math.max(eq, 0)).trim();
    if (eq < 0 || !Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new Error(
        `'${part}': ${name} has no option '${key}'; valid: ${Object.keys(defaults).join(', ')}`,
      );
    }
    options[key] = parseValue(key, part.slice(eq + 1).trim(), defaults[key]);
  }
  const spec: RacerSpec = { optimizer: name, options, schedule: 'none', switchTo: '' };
  for (const section of sections) {
    const eq = section.indexOf('=');
    const key = section.slice(0, Math.max(eq, 0));
    const value = section.slice(eq + 1);
    if (key === 'sched') {
      if (!(SCHEDULE_PRESETS as readonly string[]).includes(value)) {
        throw new Error(`unknown schedule '${value}'; valid: ${SCHEDULE_PRESETS.join(', ')}`);
      }
      spec.schedule = value as SchedulePreset;
    } else if (key === 'switch') {
      spec.switchTo = value;
    } else {
      throw new Error(`'${section}' should be sched=NAME or switch=SPEC`);
    }
  }
  checkRacer(spec);
  return spec;
}

/** Throws an Error naming the problem if the racer's options or switch are invalid. */
export function checkRacer(spec: RacerSpec): void {
  const standIn = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
  optim.createOptimizer(spec.optimizer, [standIn], spec.options);
  if (spec.switchTo !== '') switchPoints(spec.switchTo);
}

function switchPoints(text: string): optim.SwitchPoint[] {
  const points = optim.parseSwitchSpec(text);
  if (points.some((p) => 'epoch' in p.at)) {
    throw new Error(`switch '${text}': a race counts steps, so write the step with an s, e.g. sgd@200s`);
  }
  return points;
}

/** What an optimizer, scheduler and switch built for a racer are to the race loop. */
export interface RacerOptimizer {
  /** Zeroes the gradient, runs `lossOf` and its backward, steps the optimizer and the schedule. */
  step(lossOf: () => Tensor): number;
  /** The learning rate the next step will use. */
  readonly lr: number;
  /** The name of the optimizer now stepping ('Adam', then 'SGD' after a switch). */
  readonly activeName: string;
}

/** Builds the racer's optimizer (a SwitchingOptimizer when it has a switch) over `params`. */
export function buildRacerOptimizer(spec: RacerSpec, params: Tensor[], steps: number): RacerOptimizer {
  const first = { optimizer: spec.optimizer, options: { ...spec.options } };
  const optimizer =
    spec.switchTo === ''
      ? optim.createOptimizer(spec.optimizer, params, spec.options)
      : new optim.SwitchingOptimizer(params, optim.phasesFromSwitches(first, switchPoints(spec.switchTo)));
  const lr = optimizer.paramGroups[0]!.lr as number;
  const sched = schedulePresetSpec(spec.schedule, steps, lr);
  const scheduler = sched ? optim.schedulerFromSpec(optimizer, sched) : null;
  if (scheduler && optimizer instanceof optim.SwitchingOptimizer) optimizer.attachScheduler(scheduler);
  return {
    step(lossOf) {
      optimizer.zeroGrad();
      const loss = lossOf();
      loss.backward();
      optimizer.step();
      // A plateau schedule is not offered, so every scheduler here steps without a metric.
      (scheduler as { step(): void } | null)?.step();
      return loss.item();
    },
    get lr() {
      return optimizer.paramGroups[0]!.lr as number;
    },
    get activeName() {
      return optimizer instanceof optim.SwitchingOptimizer ? optimizer.activeName : optimizer.name;
    },
  };
}
