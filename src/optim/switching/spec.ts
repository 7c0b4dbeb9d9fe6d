/**
 * The compact form of planned switches for command lines: `--switch sgd@3`,
 * `--switch sgd@3:lr=0.05,momentum=0.9`, `--switch adam@2,sgd@5`.
 */
import { tensor } from '../../tensor/creation.js';
import {
  createOptimizer,
  isOptimizerName,
  OPTIMIZER_NAMES,
  OPTIMIZERS,
  type OptimizerName,
} from '../registry.js';
import type { Phase, PhaseBoundary } from './switching-optimizer.js';

/** One switch of a spec: from this point on, `optimizer` with `options` runs. */
export interface SwitchPoint {
  optimizer: OptimizerName;
  /** When it takes over: at the start of epoch n (after n epochs), or after step n. */
  at: PhaseBoundary;
  /** Its options: those given to the parser, overridden by those in the spec. */
  options: Record<string, unknown>;
}

const EXAMPLES = "e.g. 'sgd@3', 'sgd@3:lr=0.05,momentum=0.9' or 'adam@2,sgd@5'";
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Throws naming the spec; `syntax` errors also show what a spec looks like. */
function fail(spec: string, message: string, syntax = true): never {
  throw new RangeError(`parseSwitchSpec('${spec}'): ${message}${syntax ? ` (${EXAMPLES})` : ''}`);
}

/** " in 'part'", or nothing when the part is the whole spec. */
function inPart(spec: string, part: string): string {
  return part === spec ? '' : ` in '${part}'`;
}

function camel(key: string): string {
  return key.replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

function parseAt(spec: string, token: string, text: string): PhaseBoundary {
  const match = /^(\d+)\s*(e|ep|epoch|epochs|s|step|steps)?$/i.exec(text);
  const n = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(n) || n < 1) {
    fail(
      spec,
      `'${text}'${inPart(spec, token)} is not a switch point: give an epoch (3, 3e) or a step count (500s), an integer ≥ 1`,
    );
  }
  const unit = (match[2] ?? 'e').toLowerCase();
  return unit.startsWith('s') ? { step: n } : { epoch: n };
}

function parseValue(spec: string, token: string, text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (NUMBER.test(text)) return Number(text);
  const parts = text.split('/');
  if (parts.length > 1 && parts.every((p) => NUMBER.test(p))) return parts.map(Number);
  return fail(
    spec,
    `cannot read the value '${text}'${inPart(spec, token)}: expected a number, true or false, or numbers separated by '/' (betas=0.9/0.999)`,
  );
}

function checkOptionName(spec: string, name: OptimizerName, key: string, where: string): void {
  const known = Object.keys(OPTIMIZERS[name].defaults);
  if (!known.includes(key)) {
    fail(spec, `unknown option '${key}' for ${name}${where}; valid options are ${known.join(', ')}`, false);
  }
}

function describe(b: PhaseBoundary): string {
  return 'epoch' in b ? `epoch ${b.epoch}` : `step ${b.step}`;
}

/**
 * Reads a switch spec: comma-separated switch points `NAME@WHEN`, each optionally followed by
 * `:KEY=VALUE` and more `,KEY=VALUE` options for it. WHEN is an epoch (`3`, `3e`: the optimizer
 * takes over after 3 epochs, at epoch 3 counting from 0) or a step count (`500s`: from step 501). Values are numbers,
 * true/false, or numbers separated by '/' for pairs (`betas=0.9/0.999`); option names may be
 * camelCase, snake_case or kebab-case. `options` apply to every switch point, under the spec's own.
 * Names, options and values are checked here (the optimizer is built once on a stand-in tensor),
 * and switch points must increase and share one unit; each error names the part at fault.
 *
 * @example
 * parseSwitchSpec('sgd@3', { lr: 0.05, momentum: 0.9 });
 * // [{ optimizer: 'sgd', at: { epoch: 3 }, options: { lr: 0.05, momentum: 0.9 } }]
 * parseSwitchSpec('adam@2,sgd@5:lr=0.05,momentum=0.9');
 * // [{ optimizer: 'adam', at: { epoch: 2 }, options: {} },
 * //  { optimizer: 'sgd', at: { epoch: 5 }, options: { lr: 0.05, momentum: 0.9 } }]
 */
export function parseSwitchSpec(spec: string, options: Record<string, unknown> = {}): SwitchPoint[] {
  if (typeof spec !== 'string' || spec.trim() === '') fail(String(spec), 'the switch spec is empty');
  const points: (SwitchPoint & { token: string; inline: Set<string> })[] = [];
  for (const raw of spec.split(',')) {
    const token = raw.trim();
    if (token === '') fail(spec, 'an empty part between commas');
    let optionText: string | undefined;
    if (token.includes('@')) {
      const colon = token.indexOf(':');
      const head = colon < 0 ? token : token.slice(0, colon);
      optionText = colon < 0 ? undefined : token.slice(colon + 1).trim();
      const [nameText = '', atText = '', ...extra] = head.split('@').map((s) => s.trim());
      if (extra.length > 0) fail(spec, `'${token}' has more than one '@'`);
      const name = nameText.toLowerCase();
      if (!isOptimizerName(name)) {
        fail(
          spec,
          `unknown optimizer '${nameText}'${inPart(spec, token)}; valid optimizers are ${OPTIMIZER_NAMES.join(', ')}`,
          false,
        );
      }
      points.push({
        optimizer: name,
        at: parseAt(spec, token, atText),
        options: {},
        token,
        inline: new Set(),
      });
      if (optionText === undefined) continue;
    } else if (points.length === 0) {
      fail(spec, `'${token}' should be a switch point NAME@EPOCH such as 'sgd@3'`);
    } else {
      optionText = token;
    }
    const point = points[points.length - 1]!;
    const eq = optionText.indexOf('=');
    const key = eq < 0 ? '' : camel(optionText.slice(0, eq).trim());
    if (eq < 0 || key === '') {
      fail(spec, `'${optionText}'${inPart(spec, token)} should be an option KEY=VALUE, e.g. lr=0.05`);
    }
    checkOptionName(spec, point.optimizer, key, inPart(spec, token));
    if (point.inline.has(key)) fail(spec, `option '${key}' is given twice for ${point.token}`, false);
    point.inline.add(key);
    point.options[key] = parseValue(spec, token, optionText.slice(eq + 1).trim());
  }
  const given = Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), v]));
  const unit = 'epoch' in points[0]!.at ? 'epoch' : 'step';
  points.forEach((point, i) => {
    for (const key of Object.keys(given)) {
      if (!point.inline.has(key)) {
        checkOptionName(
          spec,
          point.optimizer,
          key,
          `${inPart(spec, point.token)} (an option given for every switch)`,
        );
      }
    }
    point.options = { ...given, ...point.options };
    const here = 'epoch' in point.at ? 'epoch' : 'step';
    if (here !== unit) {
      fail(
        spec,
        `all switch points must count in one unit, but '${points[0]!.token}' counts ${unit}s and '${point.token}' ${here}s`,
      );
    }
    const previous = points[i - 1];
    if (previous) {
      const a = 'epoch' in previous.at ? previous.at.epoch : previous.at.step;
      const b = 'epoch' in point.at ? point.at.epoch : point.at.step;
      if (b <= a) {
        fail(
          spec,
          `switch points must increase, but ${describe(point.at)} in '${point.token}' does not come after ${describe(previous.at)} in '${previous.token}'`,
        );
      }
    }
    try {
      createOptimizer(
        point.optimizer,
        [tensor([0], { dtype: 'float64', requiresGrad: true })],
        point.options,
      );
    } catch (error) {
      fail(spec, `${point.token === spec ? '' : `in '${point.token}': `}${(error as Error).message}`, false);
    }
  });
  return points.map(({ optimizer, at, options: o }) => ({ optimizer, at, options: o }));
}

/**
 * The phases of a `SwitchingOptimizer` from the first optimizer and the switch points of a spec:
 * the first runs until the first point, each point's optimizer until the next.
 *
 * @example
 * new SwitchingOptimizer(params, phasesFromSwitches({ optimizer: 'adam', options: { lr: 1e-3 } },
 *   parseSwitchSpec('sgd@3', { lr: 0.05, momentum: 0.9 })));
 */
export function phasesFromSwitches(
  first: { optimizer: string; options?: Record<string, unknown> },
  switches: readonly SwitchPoint[],
): Phase[] {
  const starts = [first, ...switches];
  return starts.map((s, i) => {
    const next = switches[i];
    return {
      optimizer: s.optimizer,
      options: { ...(s.options ?? {}) },
      ...(next ? { until: next.at } : {}),
    };
  });
}
