/**
 * A small declarative option parser for the CLI: each command lists its options once, and that list
 * drives parsing, validation, defaults and `--help`. Every bad value becomes a one-line UsageError that
 * names the option and what it accepts; main() prints it and exits with code 2.
 */

export class UsageError extends Error {
  override name = 'UsageError';
}

type Kind = 'number' | 'integer' | 'string' | 'boolean' | 'integer-list' | 'string-list';

export interface OptionSpec {
  /** Long name without dashes, e.g. 'batch-size'. */
  name: string;
  kind: Kind;
  description: string;
  default?: number | string | boolean | number[] | string[];
  /** Accepted values (for strings and string lists). */
  choices?: readonly string[];
  /** Inclusive lower bound for numbers; `exclusiveMin` makes it strict. */
  min?: number;
  exclusiveMin?: boolean;
  max?: number;
  /** Shown in --help in place of the kind, e.g. 'PATH'. */
  metavar?: string;
  /**
   * A further check of a string value (e.g. that an optimizer spec parses): throws a UsageError. Run
   * on the command line's value and on a config file's alike.
   */
  check?: (value: string) => void;
  /** Not accepted in a config file (--config itself, --resume, --print-config). */
  commandLineOnly?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: readonly OptionSpec[];
  /**
   * An optional positional argument that stands for one of the options (e.g. `descent serve runs`
   * for `--runs runs`); giving both is an error.
   */
  positional?: { option: string; metavar: string };
  /** Extra help text (examples). */
  epilog?: string;
}

export type ParsedOptions = Record<string, number | string | boolean | number[] | string[] | undefined>;

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function convert(command: string, spec: OptionSpec, raw: string): number | string | number[] | string[] {
  const where = `descent ${command}: --${spec.name}`;
  const checkNumber = (v: number, text: string): number => {
    if (!Number.isFinite(v) || (spec.kind.startsWith('integer') && !Number.isInteger(v))) {
      throw new UsageError(
        `${where} expects ${spec.kind.startsWith('integer') ? 'an integer' : 'a number'}, got '${text}'`,
      );
    }
    if (spec.min !== undefined && (spec.exclusiveMin ? v <= spec.min : v < spec.min)) {
      throw new UsageError(
        `${where} must be ${spec.exclusiveMin ? 'greater than' : 'at least'} ${spec.min}, got ${text}`,
      );
    }
    if (spec.max !== undefined && v > spec.max)
      throw new UsageError(`${where} must be at most ${spec.max}, got ${text}`);
    return v;
  };
  const checkChoice = (v: string): string => {
    if (spec.choices && !spec.choices.includes(v)) {
      throw new UsageError(`${where} must be one of ${spec.choices.join(', ')}; got '${v}'`);
    }
    return v;
  };
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return checkNumber(raw.trim() === '' ? NaN : Number(raw), raw);
    case 'string':
      checkChoice(raw);
      spec.check?.(raw);
      return raw;
    case 'integer-list':
      if (raw.trim() === '') return [];
      return raw.split(',').map((part) => checkNumber(part.trim() === '' ? NaN : Number(part), part));
    case 'string-list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .map(checkChoice);
    case 'boolean':
      throw new UsageError(`${where} is a flag and takes no value`);
  }
}

const explicit = new WeakMap<object, ReadonlySet<string>>();

/** The options the command line gave itself (not filled from defaults), e.g. to override a saved config. */
export function givenOptions(parsed: ParsedOptions): ReadonlySet<string> {
  return explicit.get(parsed) ?? new Set();
}

/** Records that `names` were given explicitly (by a config file, say), as if on the command line. */
export function markGiven(parsed: ParsedOptions, names: Iterable<string>): void {
  explicit.set(parsed, new Set([...givenOptions(parsed), ...names]));
}

/** Parses `argv` (the arguments after the command name) against the command's options. */
export function parseOptions(
  command: CommandSpec,
  argv: readonly string[],
): ParsedOptions & { help?: boolean } {
  const byName = new Map(command.options.map((o) => [o.name, o]));
  const out: ParsedOptions & { help?: boolean } = {};
  for (const o of command.options) if (o.default !== undefined) out[o.name] = o.default;
  let positionalValue: string | undefined;
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      const positional = command.positional;
      if (positional && positionalValue === undefined) {
        positionalValue = arg;
        continue;
      }
      throw new UsageError(
        `descent ${command.name}: unexpected argument '${arg}' (options start with --; see descent ${command.name} --help)`,
      );
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let negated = false;
    if (!byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = byName.get(name);
    if (!spec) {
      const guess = nearest(name, [...byName.keys()]);
      throw new UsageError(
        `descent ${command.name}: unknown option --${name}${guess ? ` (did you mean --${guess}?)` : ''}; see descent ${command.name} --help`,
      );
    }
    if (spec.kind === 'boolean') {
      if (inline !== undefined) {
        if (inline !== 'true' && inline !== 'false')
          throw new UsageError(`descent ${command.name}: --${name} takes true or false, got '${inline}'`);
        out[name] = (inline === 'true') !== negated;
      } else out[name] = !negated;
      given.add(name);
      continue;
    }
    if (inline === undefined) {
      inline = argv[i + 1];
      if (inline === undefined || (inline.startsWith('--') && inline.length > 2)) {
        throw new UsageError(`descent ${command.name}: --${name} needs a value (${describeKind(spec)})`);
      }
      i++;
    }
    out[name] = convert(command.name, spec, inline);
    given.add(name);
  }
  if (positionalValue !== undefined && command.positional) {
    const { option, metavar } = command.positional;
    if (given.has(option)) {
      throw new UsageError(
        `descent ${command.name}: give ${metavar} once, not both '${positionalValue}' and --${option}`,
      );
    }
    out[option] = convert(command.name, byName.get(option)!, positionalValue);
    given.add(option);
  }
  explicit.set(out, given);
  return out;
}

function describeKind(spec: OptionSpec): string {
  if (spec.metavar) return spec.metavar;
  if (spec.choices)
    return spec.kind === 'string-list'
      ? `comma-separated: ${spec.choices.join(',')}`
      : spec.choices.join('|');
  switch (spec.kind) {
    case 'integer-list':
      return 'N,N,...';
    case 'string-list':
      return 'A,B,...';
    case 'integer':
      return 'N';
    case 'number':
      return 'X';
    default:
      return 'VALUE';
  }
}

export function formatHelp(command: CommandSpec): string {
  const usage = command.positional ? ` [${command.positional.metavar}]` : '';
  const lines = [`Usage: descent ${command.name}${usage} [options]`, '', command.summary, '', 'Options:'];
  const left = command.options.map((o) =>
    o.kind === 'boolean' ? `  --${o.name}` : `  --${o.name} ${describeKind(o)}`,
  );
  const width = Math.min(40, Math.max(...left.map((l) => l.length), 10) + 2);
  command.options.forEach((o, i) => {
    const def =
      o.default === undefined || o.default === false
        ? ''
        : ` (default: ${Array.isArray(o.default) ? o.default.join(',') : String(o.default)})`;
    const l = left[i]!;
    lines.push(
      l.length >= width
        ? `${l}\n${' '.repeat(width)}${o.description}${def}`
        : `${l.padEnd(width)}${o.description}${def}`,
    );
  });
  lines.push(`${'  --help'.padEnd(width)}Show this help`);
  if (command.epilog) lines.push('', command.epilog);
  return lines.join('\n');
}
