import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import { compareCommand } from '../../src/cli/commands/compare.js';
import { formatRunConfig, parseConfigText, runConfig } from '../../src/cli/config.js';
import { parseJsonText, JsonTextError } from '../../src/cli/json-text.js';
import { parseOptions } from '../../src/cli/args.js';
import { capture } from '../helpers/cli.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The UsageError message parseConfigText throws for `text` (fails the test when it parses). */
function configError(text: string, command = trainCommand): string {
  try {
    parseConfigText(text, command, 'run.json');
  } catch (error) {
    assert.equal((error as Error).name, 'UsageError', (error as Error).stack);
    return (error as Error).message;
  }
  assert.fail(`parsed: ${text}`);
}

describe('JSON text', () => {
  test('parses what JSON.parse parses, to the same values', () => {
    const text = '{"a": [1, -2.5e3, true, false, null], "b": {"c": "x\\n\\u00e9\\"/"}, "d": 0}';
    assert.deepEqual(JSON.parse(JSON.stringify(parseJsonText(text))), JSON.parse(text));
    assert.equal(parseJsonText('\ufeff 12 '), 12);
  });

  test('errors give the line and column', () => {
    const cases: [string, number, number, RegExp][] = [
      ['{\n  "a": 1,\n  "b": }', 3, 8, /expected a value, found '}'/],
      ['{"a": 1,}', 1, 9, /trailing comma/],
      ['{"a": 1} x', 1, 10, /after the JSON value/],
      ['{"a": 01}', 1, 8, /bad number/],
      ['{"a": "b', 1, 7, /unterminated string/],
      ['{"a": 1, "a": 2}', 1, 10, /duplicate key "a"/],
      ['[[[[', 1, 4, /nested deeper than 3 levels/],
    ];
    for (const [text, line, column, message] of cases) {
      assert.throws(
        () => parseJsonText(text, { maxDepth: 3 }),
        (e: unknown) =>
          e instanceof JsonTextError && e.line === line && e.column === column && message.test(e.message),
        text,
      );
    }
  });
});

describe('config files', () => {
  test('a config sets options by their long names; lists as arrays or comma strings; null means the default', () => {
    const options = parseConfigText(
      JSON.stringify({
        command: 'train',
        options: {
          optimizer: 'adam:betas=0.9/0.99',
          lr: 0.003,
          hidden: [64, 32],
          channels: '8,16',
          download: false,
          'clip-norm': 1,
          validation: null,
        },
      }),
      trainCommand,
      'run.json',
    );
    assert.deepEqual(
      { ...options },
      {
        optimizer: 'adam:betas=0.9/0.99',
        lr: 0.003,
        hidden: [64, 32],
        channels: [8, 16],
        download: false,
        'clip-norm': 1,
      },
    );
  });

  test('errors name the file, the JSON path, what is expected and what was found', () => {
    const cases: [string, string][] = [
      ['{"options": {"lr": "fast"}}', 'descent train: run.json: options.lr: expected a positive number, got "fast"'],
      ['{"options": {"epochs": 0}}', 'descent train: run.json: options.epochs: expected a positive integer, got 0'],
      ['{"options": {"epochs": 1e999}}', 'descent train: run.json: options.epochs: expected a positive integer, got Infinity'],
      ['{"options": {"momentum": 1.5}}', 'descent train: run.json: options.momentum: expected a number from 0 to 1, got 1.5'],
      ['{"options": {"hidden": [64, 0]}}', 'descent train: run.json: options.hidden[1]: expected a positive integer, got 0'],
      ['{"options": {"hidden": {"a": 1}}}', 'descent train: run.json: options.hidden: expected an array of positive integers, e.g. [256, 128], got an object'],
      ['{"options": {"dataset": "cifar"}}', 'descent train: run.json: options.dataset: expected one of "fashion-mnist-subset", "fashion-mnist", "mnist", got "cifar"'],
      ['{"options": {"download": "yes"}}', 'descent train: run.json: options.download: expected true or false, got "yes"'],
      ['{"options": {"batchSize": 64}}', 'descent train: run.json: options.batchSize: unknown option (did you mean "batch-size"?); see descent train --help'],
      ['{"options": {"epoch": 3}}', 'descent train: run.json: options.epoch: unknown option (did you mean "epochs"?); see descent train --help'],
      ['{"options": {"resume": "ck"}}', 'descent train: run.json: options.resume: --resume is given on the command line only, not in a config file'],
      ['{"optoins": {}}', 'descent train: run.json: optoins: unknown key (did you mean "options"?); a config holds {"command": "train", "options": {...}}'],
      ['{"lr": 0.1}', 'descent train: run.json: lr: options go inside "options": {"command": "train", "options": {...}}'],
      ['{"command": "compare", "options": {}}', 'descent train: run.json: command: this config is for descent "compare", not "train"'],
      ['{"command": "train"}', 'descent train: run.json: no "options" object; a config holds {"command": "train", "options": {...}}'],
      ['[]', 'descent train: run.json: expected a JSON object {"command": "train", "options": {...}}, got an empty array'],
      ['{"options": {\n  "lr": 0.1,\n}}', 'descent train: run.json: not valid JSON: line 3, column 1: trailing comma before }'],
      // The option's own check (the one the command line runs) speaks through the path too.
      ['{"options": {"optimizer": "adamm"}}', "descent train: run.json: options.optimizer: must be one of sgd, adam, adamw, adagrad, adadelta, adamax, nadam, radam, rmsprop, rprop, asgd, lion, lamb, swats, adam-then-sgd; got 'adamm'"],
    ]; // prettier-ignore
    for (const [text, message] of cases) assert.equal(configError(text), message);
    assert.match(
      configError('{"options": {"schedule": "cosine:foo=1"}}'),
      /^descent train: run\.json: options\.schedule: cosine: unknown option 'foo'/,
    );
    assert.match(
      configError('{"options": {"augment": "blur=3"}}'),
      /^descent train: run\.json: options\.augment: unknown augmentation 'blur'/,
    );
    assert.match(
      configError('{"options": {"switch": "sgd@x"}}'),
      /^descent train: run\.json: options\.switch: .*'x' is not a switch point/,
    );
  });

  test('every option of descent train and descent compare goes through a config file and back', () => {
    for (const command of [trainCommand, compareCommand]) {
      const options = parseOptions(command, []);
      // Give every option without a default a valid value, so that all of them are in the file.
      const values: Record<string, unknown> = {
        'data-dir': '/tmp/x', validation: 500, model: 'cnn', hidden: [16], channels: [4, 8], backend: 'js',
        lr: 0.05, momentum: 0.5, 'weight-decay': 0.01, switch: 'sgd@2', checkpoint: 'ck', log: 'run.jsonl',
        report: 'rep', 'clip-norm': 2, augment: 'flip',
      }; // prettier-ignore
      for (const o of command.options) if (o.name in values) options[o.name] = values[o.name] as never;
      const text = formatRunConfig(command, options);
      const config = runConfig(command, options);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(config)));
      const names = command.options.filter((o) => !o.commandLineOnly).map((o) => o.name);
      assert.deepEqual(Object.keys(config.options), names, 'every configurable option is written');
      assert.deepEqual({ ...parseConfigText(text, command, 'run.json') }, config.options);
      assert.ok(
        !('config' in config.options) && !('print-config' in config.options) && !('resume' in config.options),
      );
    }
  });
});

describe('descent train --config', () => {
  test('the file fills in options; the command line overrides it; --print-config shows the result', async () => {
    const dir = tmp('descent-config-');
    const file = join(dir, 'run.json');
    writeFileSync(
      file,
      JSON.stringify({
        command: 'train',
        options: { optimizer: 'adam', lr: 0.003, epochs: 7, hidden: [32] },
      }),
    );
    const io = capture();
    assert.equal(
      await main(['train', '--config', file, '--epochs', '2', '--print-config'], io),
      0,
      io.stderr.join('\n'),
    );
    const printed = JSON.parse(io.stdout.join('\n'));
    assert.equal(printed.command, 'train');
    assert.equal(printed.options.optimizer, 'adam');
    assert.equal(printed.options.lr, 0.003);
    assert.deepEqual(printed.options.hidden, [32]);
    assert.equal(printed.options.epochs, 2, 'the command line wins');
    assert.equal(printed.options['batch-size'], 128, 'defaults fill the rest');
    // What --print-config prints is itself a config that gives the same options.
    writeFileSync(file, io.stdout.join('\n'));
    const again = capture();
    assert.equal(await main(['train', '--config', file, '--print-config'], again), 0);
    assert.deepEqual(again.stdout, io.stdout);
  });

  test('a bad config is a usage error (exit 2) naming the file and field, and writes over nothing', async () => {
    const dir = tmp('descent-config-bad-');
    const ck = join(dir, 'ck');
    const good = capture();
    assert.equal(await main(['train', '--print-config', '--checkpoint', ck], good), 0);
    // A good run configuration in the checkpoint directory, which a failed command must leave alone.
    mkdirSync(ck);
    const savedPath = join(ck, 'descent-run.json');
    const goodText = good.stdout.join('\n') + '\n';
    writeFileSync(savedPath, goodText);
    const file = join(dir, 'run.json');
    for (const [text, message] of [
      [
        '{"options": {"lr": "fast", "checkpoint": "x"}}',
        `descent train: ${file}: options.lr: expected a positive number, got "fast"`,
      ],
      [
        '{"options": {"epochs": 2,\n "lr": }}',
        `descent train: ${file}: not valid JSON: line 2, column 8: expected a value, found '}'`,
      ],
      // Valid for the schema, refused by the command once the data is loaded: still before anything is written.
      [
        '{"options": {"optimizer": "adam", "momentum": 0.5}}',
        'descent train: --momentum applies to sgd and rmsprop, not adam (use --optimizer adam:betas=0.9/0.999)',
      ],
    ]) {
      writeFileSync(file, text!);
      const io = capture();
      assert.equal(
        await main(['train', '--config', file, '--checkpoint', ck, '--report', join(dir, 'rep')], io),
        2,
      );
      assert.deepEqual(io.stderr, [message]);
      assert.equal(readFileSync(savedPath, 'utf8'), goodText, 'the good file is untouched');
      assert.deepEqual(readdirSync(ck), ['descent-run.json']);
      assert.ok(!existsSync(join(dir, 'rep')), 'no report');
    }
    const missing = capture();
    assert.equal(await main(['train', '--config', join(dir, 'nope.json')], missing), 2);
    assert.match(missing.stderr[0]!, /--config .*nope\.json: no such file/);
  });

  test("a checkpoint's descent-run.json is a config: fed back, it gives the same options and the same run", async () => {
    const dir = tmp('descent-config-rt-');
    const args = [
      '--epochs',
      '1',
      '--hidden',
      '8',
      '--validation',
      '500',
      '--optimizer',
      'adam',
      '--lr',
      '0.005',
      '--seed',
      '4',
    ];
    const first = capture();
    assert.equal(
      await main(['train', ...args, '--checkpoint', join(dir, 'a')], first),
      0,
      first.stderr.join('\n'),
    );
    const savedPath = join(dir, 'a', 'descent-run.json');
    const saved = readFileSync(savedPath, 'utf8');
    const printed = capture();
    assert.equal(await main(['train', '--config', savedPath, '--print-config'], printed), 0);
    assert.equal(
      printed.stdout.join('\n') + '\n',
      saved,
      '--print-config of the saved config is the saved config',
    );
    // --print-config with --resume shows the options the resumed run would use.
    const resumed = capture();
    assert.equal(
      await main(['train', '--resume', join(dir, 'a'), '--epochs', '3', '--print-config'], resumed),
      0,
    );
    assert.deepEqual(JSON.parse(resumed.stdout.join('\n')), {
      command: 'train',
      options: { ...JSON.parse(saved).options, epochs: 3 },
    });
    const second = capture();
    assert.equal(
      await main(['train', '--config', savedPath, '--checkpoint', join(dir, 'b')], second),
      0,
      second.stderr.join('\n'),
    );
    const results = (io: { stdout: string[] }) =>
      io.stdout
        .filter((l) => /^\s+1\s/.test(l) || l.startsWith('test accuracy'))
        .map((l) => l.replace(/[\d.]+s\b.*$/, ''));
    assert.equal(results(first).length, 2);
    assert.deepEqual(results(second), results(first));
    // Only --checkpoint differs between the two runs' saved configs.
    const b = JSON.parse(readFileSync(join(dir, 'b', 'descent-run.json'), 'utf8'));
    assert.deepEqual({ ...b.options, checkpoint: join(dir, 'a') }, JSON.parse(saved).options);
  });

  test('descent compare takes a config too, but not one for another command', async () => {
    const dir = tmp('descent-config-cmp-');
    const file = join(dir, 'cmp.json');
    writeFileSync(
      file,
      JSON.stringify({ command: 'compare', options: { optimizers: 'sgd,adam', epochs: 2 } }),
    );
    const io = capture();
    assert.equal(await main(['compare', '--config', file, '--print-config'], io), 0, io.stderr.join('\n'));
    const printed = JSON.parse(io.stdout.join('\n'));
    assert.equal(printed.options.optimizers, 'sgd,adam');
    assert.equal(printed.options.epochs, 2);
    assert.equal(
      configError('{"options": {"plot": "curves.jpg"}}', compareCommand),
      "descent compare: run.json: options.plot: must end in .svg or .png, got 'curves.jpg'",
    );
    assert.equal(
      configError('{"options": {"optimizers": "sgd,adamm"}}', compareCommand),
      "descent compare: run.json: options.optimizers: must be one of sgd, adam, adamw, adagrad, adadelta, adamax, nadam, radam, rmsprop, rprop, asgd, lion, lamb, swats, adam-then-sgd; got 'adamm'",
    );
    const bad = capture();
    writeFileSync(file, JSON.stringify({ command: 'train', options: {} }));
    assert.equal(await main(['compare', '--config', file], bad), 2);
    assert.deepEqual(bad.stderr, [
      `descent compare: ${file}: command: this config is for descent "train", not "compare"`,
    ]);
  });
});
