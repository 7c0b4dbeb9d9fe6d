/**
 * Optimizers on the command line: `NAME[:key=value,...]`, e.g. `adamw:betas=0.9/0.99,eps=1e-7`, plus
 * the switching recipes `adam-then-sgd` (Adam for the first half of the run, then SGD with momentum)
 * and `swats` (Keskar & Socher's automatic switch). Values are numbers, true/false, or numbers
 * separated by '/' for pairs.
 */
import type { Tensor } from '../tensor/tensor.js';
import { createOptimizer, OPTIMIZERS, OPTIMIZER_NAMES } from '../optim/registry.js';
import type { OptimizerLike } from '../optim/optimizer.js';
import { SwitchingOptimizer, parseSwitchSpec, phasesFromSwitches } from '../optim/switching/index.js';
import { UsageError } from './args.js';

/** The learning rates that suit each optimizer on an MLP, used when the command line gives none. */
export const SUGGESTED_LR: Record<string, number> = {
  sgd: 0.1, adam: 1e-3, adamw: 1e-3, adagrad: 0.01, adadelta: 1, adamax: 2e-3, nadam: 1e-3, radam: 1e-3,
  rmsprop: 1e-3, rprop: 1e-3, asgd: 0.05, lion: 1e-4, lamb: 1e-3, swats: 1e-3,
}; // prettier-ignore

export const RECIPES = ['adam-then-sgd'] as const;

export interface OptimizerChoice {
  /** As written, for tables and legends. */
  label: string;
  name: string;
  options: Record<string, unknown>;
}

function parseValue(text: string, where: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  const parts = text.split('/');
  const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (nums.some((n) => !Number.isFinite(n))) {
    throw new UsageError(
      `descent: ${where}: cannot read '${text}' (expected a number, true/false, or numbers joined by '/')`,
    );
  }
  return nums.length === 1 ? nums[0] : nums;
}

const camel = (key: string) => key.replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses one optimizer argument (see the file comment). */
export function parseOptimizerArg(arg: string, option = '--optimizer'): OptimizerChoice {
  const i = arg.indexOf(':');
  const name = (i < 0 ? arg : arg.slice(0, i)).trim().toLowerCase();
  const valid: string[] = [...OPTIMIZER_NAMES, ...RECIPES];
  if (!valid.includes(name))
    throw new UsageError(`descent: ${option} must be one of ${valid.join(', ')}; got '${name}'`);
  const options: Record<string, unknown> = {};
  if (i >= 0 && arg.slice(i + 1).trim() !== '') {
    const known =
      name in OPTIMIZERS ? Object.keys(OPTIMIZERS[name as keyof typeof OPTIMIZERS].defaults) : ['lr'];
    for (const part of arg.slice(i + 1).split(',')) {
      const eq = part.indexOf('=');
      const key = camel((eq < 0 ? part : part.slice(0, eq)).trim());
      if (!known.includes(key)) {
        throw new UsageError(
          `descent: ${option} ${name}: unknown option '${key}'; valid options: ${known.join(', ')}`,
        );
      }
      if (eq < 0)
        throw new UsageError(`descent: ${option} ${name}: option '${key}' needs a value (${key}=...)`);
      options[key] = parseValue(part.slice(eq + 1).trim(), `${option} ${name}: ${key}`);
    }
  }
  return { label: arg, name, options };
}

export interface BuildOptions {
  epochs: number;
  /** Planned switch spec (`--switch sgd@3`), applied after the first optimizer. */
  switchSpec?: string;
}

/** Builds the optimizer (possibly a switching one) over `params`. */
export function buildOptimizer(
  choice: OptimizerChoice,
  params: Tensor[],
  build: BuildOptions,
): OptimizerLike {
  if (choice.name === 'adam-then-sgd') {
    const at = Math.max(1, Math.ceil(build.epochs / 2));
    return new SwitchingOptimizer(params, [
      { optimizer: 'adam', options: { lr: SUGGESTED_LR.adam, ...choice.options }, until: { epoch: at } },
      // A gentler SGD rate than from scratch: Adam has already brought the loss down.
      { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9 } },
    ]);
  }
  const options = { lr: SUGGESTED_LR[choice.name], ...choice.options };
  if (!build.switchSpec) return createOptimizer(choice.name, params, options);
  let points;
  try {
    points = parseSwitchSpec(build.switchSpec);
  } catch (e) {
    throw new UsageError(`descent: --switch: ${(e as Error).message}`);
  }
  // A switch target without its own lr gets the one that suits it (SGD also momentum 0.9): Adam's lr
  // would be far too small for SGD.
  for (const point of points) {
    point.options = {
      lr: SUGGESTED_LR[point.optimizer],
      ...(point.optimizer === 'sgd' ? { momentum: 0.9 } : {}),
      ...point.options,
    };
  }
  return new SwitchingOptimizer(params, phasesFromSwitches({ optimizer: choice.name, options }, points));
}
