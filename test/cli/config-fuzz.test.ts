// Fuzz test of the config file reader (`descent train --config`): thousands of seeded mutations of
// valid config files (truncations, bit flips, byte overwrites, spliced spans, type swaps, deleted and
// extra keys, huge numbers, NaN-like strings, deep nesting). Each one must either parse to options
// that pass the schema (and survive being written and read again unchanged) or fail with a one-line
// UsageError naming the file: no other exception, no stack trace, no hang (every parse is timed).
// A few go end to end through `main()`, which must exit 0 or 2 and leave a good file alone.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { parseOptions, UsageError, type ParsedOptions } from '../../src/cli/args.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import { formatRunConfig, parseConfigBytes } from '../../src/cli/config.js';
import { main } from '../../src/cli/main.js';
import { Generator } from '../../src/tensor/random.js';
import { capture } from '../helpers/cli.js';

/** Slowest acceptable single parse, in milliseconds: far above the usual < 1 ms, far below a hang. */
const MAX_MS = 1000;
const encoder = new TextEncoder();

/** Valid configs to mutate: every option set, a few, and none. */
function seeds(): string[] {
  const all = parseOptions(trainCommand, []);
  Object.assign(all, {
    'data-dir': 'data', validation: 500, model: 'cnn', hidden: [64, 32], channels: [8, 16], backend: 'js',
    optimizer: 'adamw:betas=0.9/0.99,eps=1e-7', lr: 0.003, 'weight-decay': 0.01, switch: 'sgd@2:lr=0.05',
    checkpoint: 'runs/a', log: 'runs/a/log.jsonl', report: 'runs/a', 'clip-norm': 1, warmup: 1,
    schedule: 'cosine', augment: 'brightness=0.4,rotate=10,crop=2,flip',
  }); // prettier-ignore
  return [
    formatRunConfig(trainCommand, all),
    JSON.stringify({ command: 'train', options: { optimizer: 'sgd', momentum: 0.9, epochs: 3, hidden: '128,64', download: false } }),
    '{"options": {}}',
  ]; // prettier-ignore
}

type Mutator = (text: string, g: Generator) => Uint8Array | string;

const pick = <T>(g: Generator, items: readonly T[]): T => items[g.integer(0, items.length)]!;

const truncate: Mutator = (text, g) => text.slice(0, g.integer(0, text.length));

const flipBits: Mutator = (text, g) => {
  const out = encoder.encode(text);
  if (out.length === 0) return out;
  for (let k = 1 + g.integer(0, 6); k > 0; k--) {
    const i = g.integer(0, out.length);
    out[i] = out[i]! ^ (1 << g.integer(0, 8));
  }
  return out;
};

const overwriteBytes: Mutator = (text, g) => {
  const out = encoder.encode(text);
  if (out.length === 0) return out;
  const interesting = [0x00, 0xff, 0xc3, 0x80, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x0a, 0x2d];
  for (let k = 1 + g.integer(0, 4); k > 0; k--) {
    out[g.integer(0, out.length)] = g.random() < 0.7 ? pick(g, interesting) : g.integer(0, 256);
  }
  return out;
};

const spliceSpan: Mutator = (text, g) => {
  const start = g.integer(0, text.length);
  const span = text.slice(start, start + 1 + g.integer(0, 40));
  const at = g.integer(0, text.length);
  // Duplicate the span elsewhere, or cut it out.
  return g.random() < 0.5
    ? text.slice(0, at) + span + text.slice(at)
    : text.slice(0, start) + text.slice(start + span.length);
};

/** Values of every JSON type, and the numbers and strings that trip up parsers. */
const ODD_VALUES = [
  '"fast"', '"NaN"', '"Infinity"', '"-Infinity"', '"1e999"', '"0x10"', '" 5 "', '""', '"adam:lr=NaN"', '"sgd@0"',
  '"cosine:tMax=-1"', '"256,,128"', '"\\u0000"', '"\\n--lr 1"', '"\\ud800"', `"${'x'.repeat(5000)}"`,
  'NaN', 'Infinity', '-0', '0', '-1', '1e308', '-1e308', '1e999', '-1e999', '123456789012345678901234567890',
  '4.9e-324', '0.5', '2.5', '1e-7', 'true', 'false', 'null', '[]', '{}', '[1, 2]', '[-1]', '["a"]', '[[8]]',
  '{"a": 1}', '[null]', '[1.5]',
]; // prettier-ignore

/** Replaces the value of one option (or the whole document, or `options`) with an odd one. */
const swapValue: Mutator = (text, g) => {
  const doc = JSON.parse(text) as { options: Record<string, unknown> };
  const keys = Object.keys(doc.options);
  const value = pick(g, ODD_VALUES);
  const r = g.random();
  if (r < 0.05) return value;
  if (r < 0.1 || keys.length === 0) return text.replace(/"options":\s*\{/, `"options": ${value}, "x": {`);
  const key = pick(g, keys);
  return JSON.stringify({ ...doc, options: { ...doc.options, [key]: '@@' } }).replace('"@@"', value);
};

const deleteKey: Mutator = (text, g) => {
  const doc = JSON.parse(text) as Record<string, unknown> & { options: Record<string, unknown> };
  const keys = Object.keys(doc.options);
  if (keys.length === 0 || g.random() < 0.2) {
    const top = { ...doc };
    delete top[pick(g, ['command', 'options'])];
    return JSON.stringify(top);
  }
  const options = { ...doc.options };
  delete options[pick(g, keys)];
  return JSON.stringify({ ...doc, options });
};

const EXTRA_KEYS = [
  'lerning-rate', 'learningRate', 'batchSize', 'batch_size', 'epoch', 'Epochs', 'resume', 'config', 'print-config',
  'help', '__proto__', 'constructor', 'toString', '', ' ', 'lr ', 'ünïcödé', '\\n', 'a"b', 'x'.repeat(300),
]; // prettier-ignore

const extraKey: Mutator = (text, g) => {
  const key = pick(g, EXTRA_KEYS);
  const value = pick(g, ODD_VALUES);
  const where = g.random() < 0.8 ? /"options":\s*\{/ : /^\{/;
  return text.replace(
    where,
    (m) => `${m}"${key}": ${value}${/\{\s*\}/.test(text) && where.source !== '^\\{' ? '' : ','}`,
  );
};

/** Nests a value (or the whole document) thousands of levels deep in arrays or objects. */
const deepNesting: Mutator = (text, g) => {
  const depth = pick(g, [10, 63, 64, 65, 200, 5000, 100000]);
  const [open, close] = g.random() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
  const nested = open.repeat(depth) + '1' + close.repeat(g.random() < 0.8 ? depth : g.integer(0, depth));
  if (g.random() < 0.3) return nested;
  const doc = JSON.parse(text) as { options: Record<string, unknown> };
  const key = pick(g, [...Object.keys(doc.options), 'epochs']);
  return JSON.stringify({ ...doc, options: { ...doc.options, [key]: '@@' } }).replace('"@@"', nested);
};

const MUTATORS: [string, Mutator][] = [
  ['truncate', truncate],
  ['flip bits', flipBits],
  ['overwrite bytes', overwriteBytes],
  ['splice span', spliceSpan],
  ['swap value', swapValue],
  ['delete key', deleteKey],
  ['extra key', extraKey],
  ['deep nesting', deepNesting],
];

interface Outcome {
  valid: number;
  invalid: number;
}

/** Parses one input: options that pass the schema again after a round trip, or a clean UsageError. */
function check(bytes: Uint8Array, label: string, outcome: Outcome): void {
  const started = performance.now();
  let options: ParsedOptions;
  try {
    options = parseConfigBytes(bytes, trainCommand, 'run.json');
  } catch (error) {
    const ms = performance.now() - started;
    assert.ok(error instanceof UsageError, `${label}: threw ${(error as Error)?.stack ?? String(error)}`);
    assert.ok(error.message.startsWith('descent train: run.json: '), `${label}: ${error.message}`);
    assert.ok(
      !/[\n\r]/.test(error.message) && error.message.length < 500,
      `${label}: not one short line: ${error.message}`,
    );
    assert.ok(ms < MAX_MS, `${label}: ${ms.toFixed(0)} ms`);
    outcome.invalid++;
    return;
  }
  assert.ok(performance.now() - started < MAX_MS, `${label}: too slow`);
  // What parsed is a valid config: written out and read back, it gives the same options.
  const again = parseConfigBytes(
    encoder.encode(formatRunConfig(trainCommand, options)),
    trainCommand,
    'again.json',
  );
  assert.deepEqual({ ...again }, { ...options }, label);
  outcome.valid++;
}

describe('config file fuzzing', () => {
  it('1,600 seeded mutations each parse to valid options or fail with a one-line usage error', () => {
    const g = new Generator(20250105);
    const outcome: Outcome = { valid: 0, invalid: 0 };
    const perMutator = new Map<string, Outcome>();
    const bases = seeds();
    for (const base of bases) check(encoder.encode(base), 'seed', outcome);
    for (let i = 0; i < 1600; i++) {
      const base = bases[i % bases.length]!;
      const [name, mutate] = MUTATORS[g.integer(0, MUTATORS.length)]!;
      let out = mutate(base, g);
      // Now and then a second, byte-level mutation on top of the first.
      if (g.random() < 0.15) out = flipBits(typeof out === 'string' ? out : new TextDecoder().decode(out), g);
      const bytes = typeof out === 'string' ? encoder.encode(out) : out;
      const before = { ...outcome };
      check(bytes, `case ${i} (${name})`, outcome);
      const m = perMutator.get(name) ?? { valid: 0, invalid: 0 };
      m.valid += outcome.valid - before.valid;
      m.invalid += outcome.invalid - before.invalid;
      perMutator.set(name, m);
    }
    // The inputs reach both outcomes, and every mutator made some that fail.
    assert.ok(outcome.valid >= 100 && outcome.invalid >= 800, JSON.stringify(outcome));
    for (const [name, m] of perMutator) assert.ok(m.invalid > 0, `${name}: ${JSON.stringify(m)}`);
  });

  it('files beyond the size limit and bytes that are not UTF-8 are refused before parsing', () => {
    assert.throws(
      () => parseConfigBytes(new Uint8Array(2 << 20).fill(0x20), trainCommand, 'big.json'),
      /^UsageError: descent train: big\.json: 2097152 bytes is too large for a config file \(at most 1048576\)$/,
    );
    assert.throws(
      () => parseConfigBytes(Uint8Array.from([0x7b, 0xff, 0x7d]), trainCommand, 'bin.json'),
      /^UsageError: descent train: bin\.json: not UTF-8 text$/,
    );
  });

  it('a key or a value of nearly a megabyte fails as fast as a short one', () => {
    const long = 'k'.repeat(900_000);
    for (const text of [
      `{"options": {"${long}": 1}}`,
      `{"options": {"optimizer": "${long}"}}`,
      `{"${long}": 1}`,
    ]) {
      const started = performance.now();
      assert.throws(() => parseConfigBytes(encoder.encode(text), trainCommand, 'run.json'), UsageError);
      assert.ok(performance.now() - started < MAX_MS, `${(performance.now() - started).toFixed(0)} ms`);
    }
  });

  it('end to end: mutated files give exit code 0 or 2 with one line of error, and a good file stays as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-config-fuzz-'));
    const ck = join(dir, 'ck');
    mkdirSync(ck);
    const good = seeds()[1]!;
    writeFileSync(join(ck, 'descent-run.json'), good);
    const g = new Generator(7);
    const file = join(dir, 'run.json');
    const codes = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const [name, mutate] = MUTATORS[i % MUTATORS.length]!;
      writeFileSync(file, mutate(good, g));
      const io = capture();
      // --print-config: the options are read and checked, nothing is trained.
      const code = await main(['train', '--config', file, '--checkpoint', ck, '--print-config'], io);
      codes.add(code);
      assert.ok(code === 0 || code === 2, `${name}: exit ${code}: ${io.stderr.join('\n')}`);
      if (code === 2) {
        assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
        assert.ok(io.stderr[0]!.startsWith(`descent train: ${file}: `), io.stderr[0]);
      } else assert.equal(JSON.parse(io.stdout.join('\n')).command, 'train');
      assert.equal(
        readFileSync(join(ck, 'descent-run.json'), 'utf8'),
        good,
        `${name}: the good file changed`,
      );
      assert.deepEqual(readdirSync(ck), ['descent-run.json']);
    }
    assert.deepEqual([...codes].sort(), [0, 2]);
  });
});
