/**
 * Config files for the training commands: `descent train --config run.json`. The format is the one
 * `descent train --checkpoint DIR` saves as DIR/descent-run.json, so a run's saved config can be fed
 * back as it is:
 *
 *     {"command": "train", "options": {"optimizer": "adam", "lr": 0.001, "hidden": [256, 128], "epochs": 5}}
 *
 * `options` holds the command's options by their long names; `command` may be left out. The schema is
 * the command's own option table (args.ts): kind, range, choices and the option's further `check`,
 * so there is one description per option for the command line, the config file and --help. A value
 * is a JSON number, string or boolean as the option's kind says; a list (--hidden, --channels) is an
 * array or the command line's comma-separated string; null means the default. Options on the command
 * line override the file. Paths in the file are taken relative to the working directory, as on the
 * command line.
 *
 * Every problem is a UsageError (exit code 2) naming the file, the field's JSON path and what it
 * expects, e.g. `descent train: run.json: options.lr: expected a positive number, got "fast"`; an
 * unknown key gets the nearest valid name, and a syntax error its line and column.
 */
import { readFileSync, statSync } from 'node:fs';
import {
  givenOptions,
  markGiven,
  nearest,
  UsageError,
  type CommandSpec,
  type OptionSpec,
  type ParsedOptions,
} from './args.js';
import type { CliIo } from './io.js';
import { JsonTextError, parseJsonText, type JsonValue } from './json-text.js';

/** The options every command that takes a config file lists. */
export const CONFIG_OPTIONS: OptionSpec[] = [
  { name: 'config', kind: 'string', metavar: 'PATH', commandLineOnly: true, description: 'Read the options from a JSON file, {"command": ..., "options": {...}} as in a checkpoint\'s descent-run.json; command-line options override it' },
  { name: 'print-config', kind: 'boolean', commandLineOnly: true, description: 'Print the effective options (defaults, --config file, command line) as such a JSON file and exit' },
]; // prettier-ignore

/** Config files larger than this are refused before they are read. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** A config file's contents: the command and its options by long name. */
export interface RunConfig {
  command: string;
  options: ParsedOptions;
}

type Value = NonNullable<ParsedOptions[string]>;

/** The options a config file may set: all of the command's but the command-line-only ones. */
function configurable(command: CommandSpec): Map<string, OptionSpec> {
  return new Map(command.options.filter((o) => !o.commandLineOnly).map((o) => [o.name, o]));
}

/** A JSON path segment: `.name` for plain names, `["odd key"]` otherwise (long keys cut short). */
function segment(key: string): string {
  const short = key.length > 40 ? `${key.slice(0, 37)}...` : key;
  return /^[A-Za-z_$][\w$-]*$/.test(short) ? `.${short}` : `[${JSON.stringify(short)}]`;
}

/** A value as the error shows it: short JSON for scalars, the type for containers. */
function show(value: JsonValue): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

/** What a number option takes, in words: 'a positive number', 'an integer of at least 5', ... */
function numberExpectation(spec: OptionSpec, plural = false): string {
  const noun = spec.kind.startsWith('integer') ? 'integer' : 'number';
  const { min, max, exclusiveMin } = spec;
  const a = (word: string) => (plural ? `${word}s` : `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`);
  if (min === 0 && max === undefined) return a(exclusiveMin ? `positive ${noun}` : `non-negative ${noun}`);
  if (min === 1 && noun === 'integer' && max === undefined) return a('positive integer');
  const low = min === undefined ? '' : `${exclusiveMin ? 'greater than' : 'at least'} ${min}`;
  const high = max === undefined ? '' : `at most ${max}`;
  if (min !== undefined && max !== undefined && !exclusiveMin) return `${a(noun)} from ${min} to ${max}`;
  const range = [low, high].filter((s) => s !== '').join(' and ');
  return range === '' ? a(noun) : `${a(noun)} ${range}`;
}

/** What an option takes in a config file, in words. */
export function expectation(spec: OptionSpec): string {
  const choices = spec.choices?.map((c) => JSON.stringify(c)).join(', ');
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return numberExpectation(spec);
    case 'boolean':
      return 'true or false';
    case 'string':
      return choices ? `one of ${choices}` : `a string${spec.metavar ? ` (${spec.metavar})` : ''}`;
    case 'integer-list':
      return `an array of ${numberExpectation(spec, true)}, e.g. [256, 128]`;
    case 'string-list':
      return `an array of strings${choices ? ` from ${choices}` : ''}`;
  }
}

function inRange(spec: OptionSpec, v: number): boolean {
  if (!Number.isFinite(v) || (spec.kind.startsWith('integer') && !Number.isInteger(v))) return false;
  if (spec.min !== undefined && (spec.exclusiveMin ? v <= spec.min : v < spec.min)) return false;
  return spec.max === undefined || v <= spec.max;
}

interface ValueError {
  error: string;
  /** The path below the option's, e.g. '[1]' for a list's second item. */
  at?: string;
}

/** One option's value from the file, or what is wrong with it. */
function convertValue(spec: OptionSpec, value: JsonValue): Value | ValueError {
  const wrong = { error: `expected ${expectation(spec)}, got ${show(value)}` };
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return typeof value === 'number' && inRange(spec, value) ? value : wrong;
    case 'boolean':
      return typeof value === 'boolean' ? value : wrong;
    case 'string': {
      if (typeof value !== 'string' || (spec.choices && !spec.choices.includes(value))) return wrong;
      try {
        spec.check?.(value);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        // The check speaks of the command line ('descent: --optimizer ...'); here the path says where.
        return { error: error.message.replace(/^descent(?: [\w-]+)?: (?:--[\w-]+:? ?)?/, '') };
      }
      return value;
    }
    case 'integer-list': {
      const items =
        typeof value === 'string'
          ? value.trim() === ''
            ? []
            : value.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)))
          : value;
      if (!Array.isArray(items)) return wrong;
      const bad = items.findIndex((v) => typeof v !== 'number' || !inRange(spec, v));
      if (bad >= 0) {
        const item = typeof value === 'string' ? value.split(',')[bad]!.trim() : items[bad]!;
        return { error: `expected ${numberExpectation(spec)}, got ${show(item)}`, at: `[${bad}]` };
      }
      return items as number[];
    }
    case 'string-list': {
      const items =
        typeof value === 'string'
          ? value
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '')
          : value;
      if (!Array.isArray(items)) return wrong;
      const bad = items.findIndex(
        (v) => typeof v !== 'string' || (spec.choices && !spec.choices.includes(v)),
      );
      if (bad >= 0) {
        const what = spec.choices
          ? `one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`
          : 'a string';
        return { error: `expected ${what}, got ${show(items[bad]!)}`, at: `[${bad}]` };
      }
      return items as string[];
    }
  }
}

/** A suggestion for an unknown key: its kebab-case spelling when that is valid, else the nearest name. */
function suggest(key: string, valid: readonly string[]): string {
  if (key.length > 64) return ''; // no option name is that long, and edit distance is quadratic
  const kebab = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
  const guess = valid.includes(kebab) ? kebab : nearest(kebab, valid);
  return guess ? ` (did you mean "${guess}"?)` : '';
}

/** A message as one short line: control characters escaped, at most 300 characters. */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > 300 ? `${escaped.slice(0, 297)}...` : escaped;
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a parsed config document against `command`'s options and returns the options it sets (null
 * values left out). Throws a UsageError naming `file`, the field and what it expects.
 */
export function validateConfig(document: JsonValue, command: CommandSpec, file: string): ParsedOptions {
  const fail = (path: string, message: string): never => {
    throw new UsageError(
      `descent ${command.name}: ${file}: ${path === '' ? '' : `${path.replace(/^\./, '')}: `}${oneLine(message)}`,
    );
  };
  const shape = `{"command": "${command.name}", "options": {...}}`;
  if (!isObject(document)) return fail('', `expected a JSON object ${shape}, got ${show(document)}`);
  const options = configurable(command);
  for (const key of Object.keys(document)) {
    if (key === 'command' || key === 'options') continue;
    if (options.has(key)) fail(segment(key), `options go inside "options": ${shape}`);
    fail(segment(key), `unknown key${suggest(key, ['command', 'options'])}; a config holds ${shape}`);
  }
  const name = document.command;
  if (name !== undefined && name !== command.name) {
    fail(
      'command',
      typeof name === 'string'
        ? `this config is for descent ${show(name)}, not "${command.name}"`
        : `expected "${command.name}", got ${show(name)}`,
    );
  }
  const given = document.options;
  if (given === undefined) return fail('', `no "options" object; a config holds ${shape}`);
  if (!isObject(given)) return fail('options', `expected an object of options, got ${show(given)}`);
  const out: ParsedOptions = {};
  const all = new Map(command.options.map((o) => [o.name, o]));
  for (const [key, value] of Object.entries(given)) {
    const path = `options${segment(key)}`;
    const spec = options.get(key);
    if (!spec) {
      if (all.has(key)) fail(path, `--${key} is given on the command line only, not in a config file`);
      fail(path, `unknown option${suggest(key, [...options.keys()])}; see descent ${command.name} --help`);
    }
    if (value === null) continue;
    const converted = convertValue(spec!, value);
    if (typeof converted === 'object' && !Array.isArray(converted)) {
      fail(`${path}${converted.at ?? ''}`, converted.error);
    }
    out[key] = converted as Value;
  }
  return out;
}

/** Parses and checks a config file's text (see the file comment); `file` names it in errors. */
export function parseConfigText(text: string, command: CommandSpec, file: string): ParsedOptions {
  let document: JsonValue;
  try {
    document = parseJsonText(text);
  } catch (error) {
    if (error instanceof JsonTextError)
      throw new UsageError(`descent ${command.name}: ${file}: not valid JSON: ${oneLine(error.message)}`);
    throw error;
  }
  return validateConfig(document, command, file);
}

/** Checks a config file's bytes: at most MAX_CONFIG_BYTES of UTF-8 JSON (see parseConfigText). */
export function parseConfigBytes(bytes: Uint8Array, command: CommandSpec, file: string): ParsedOptions {
  const where = `descent ${command.name}: ${file}`;
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new UsageError(
      `${where}: ${bytes.length} bytes is too large for a config file (at most ${MAX_CONFIG_BYTES})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${where}: not UTF-8 text`);
  }
  return parseConfigText(text, command, file);
}

/** Reads and checks a config file (see parseConfigBytes). */
export function readConfigFile(path: string, command: CommandSpec): ParsedOptions {
  const where = `descent ${command.name}: --config ${path}`;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`${where}: no such file`);
  if (!stat.isFile()) throw new UsageError(`${where}: not a file`);
  if (stat.size > MAX_CONFIG_BYTES) {
    throw new UsageError(
      `${where}: ${stat.size} bytes is too large for a config file (at most ${MAX_CONFIG_BYTES})`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`${where}: cannot read it (${(error as Error).message})`);
  }
  return parseConfigBytes(bytes, command, path);
}

/**
 * The options of a command line with --config: the file's values fill in what the command line did
 * not give (they count as given, e.g. over a resumed run's saved options). Without --config, `parsed`
 * itself.
 */
export function applyConfigFile(command: CommandSpec, parsed: ParsedOptions): ParsedOptions {
  const path = parsed.config;
  if (typeof path !== 'string') return parsed;
  const fromFile = readConfigFile(path, command);
  const given = givenOptions(parsed);
  for (const [name, value] of Object.entries(fromFile)) if (!given.has(name)) parsed[name] = value;
  markGiven(parsed, Object.keys(fromFile));
  return parsed;
}

/** The config of a run: every option the command has a value for, in the option table's order. */
export function runConfig(command: CommandSpec, options: ParsedOptions): RunConfig {
  const out: ParsedOptions = {};
  for (const [name] of configurable(command)) if (options[name] !== undefined) out[name] = options[name];
  return { command: command.name, options: out };
}

/** A run's config as the file's text (what --print-config prints and checkpoints save). */
export function formatRunConfig(command: CommandSpec, options: ParsedOptions): string {
  const config = runConfig(command, options);
  // One option a line, lists kept on it: [256, 128].
  const value = (v: unknown) =>
    Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v);
  const lines = Object.entries(config.options).map(([k, v]) => `    ${JSON.stringify(k)}: ${value(v)}`);
  return `{\n  "command": ${JSON.stringify(config.command)},\n  "options": {\n${lines.join(',\n')}\n  }\n}\n`;
}

/** With --print-config: prints the run's config and returns true (the command then stops). */
export function printConfigIfAsked(command: CommandSpec, options: ParsedOptions, io: CliIo): boolean {
  if (options['print-config'] !== true) return false;
  io.out(formatRunConfig(command, options).trimEnd());
  return true;
}
