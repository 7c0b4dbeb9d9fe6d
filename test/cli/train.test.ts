import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { capture } from '../helpers/cli.js';

describe('descent train', () => {
  test('trains on the embedded subset and reports every epoch and the test accuracy', async () => {
    const io = capture();
    const code = await main(
      ['train', '--epochs', '2', '--hidden', '32', '--batch-size', '64', '--seed', '3'],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const text = io.stdout.join('\n');
    assert.match(text, /MLP 784-32-10 \(relu\) on fashion-mnist-subset/);
    assert.match(text, /8,333 train \/ 1,667 validation \/ 2,000 test images/);
    const epochs = io.stdout.filter((l) =>
      /^\s+\d+\s+\d+\.\d{4}\s+\d+\.\d\d%\s+\d+\.\d{4}\s+\d+\.\d\d%/.test(l),
    );
    assert.equal(epochs.length, 2, text);
    const losses = epochs.map((l) => Number(l.trim().split(/\s+/)[1]));
    assert.ok(losses[1]! < losses[0]!, `train loss should fall: ${losses.join(' -> ')}`);
    const m = /test accuracy (\d+\.\d\d)% \((\d[\d,]*)\/2,000\)/.exec(text);
    assert.ok(m, text);
    // Two epochs of a small MLP on 8k images comfortably beat 70% (chance is 10%).
    assert.ok(Number(m[1]) > 70, `test accuracy ${m[1]}%`);
  });

  test('the same seed gives the same run', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const io = capture();
      await main(['train', '--epochs', '1', '--hidden', '16', '--validation', '500', '--seed', '7'], io);
      runs.push(
        io.stdout
          .filter((l) => /^\s+1\s/.test(l) || l.startsWith('test accuracy'))
          .map((l) => l.replace(/\d+\.\d+s/g, '')),
      );
    }
    assert.deepEqual(runs[0], runs[1]);
  });

  test('--resume continues a checkpointed run to the same result as an uninterrupted one, and --log writes JSON lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-resume-'));
    const args = [
      '--hidden',
      '16',
      '--validation',
      '800',
      '--optimizer',
      'adam',
      '--switch',
      'sgd@2',
      '--seed',
      '5',
    ];
    const whole = capture();
    assert.equal(await main(['train', ...args, '--epochs', '3'], whole), 0, whole.stderr.join('\n'));
    const first = capture();
    const log = join(dir, 'run.jsonl');
    const code = await main(
      ['train', ...args, '--epochs', '1', '--checkpoint', join(dir, 'ck'), '--log', log],
      first,
    );
    assert.equal(code, 0, first.stderr.join('\n'));
    const resumed = capture();
    assert.equal(
      await main(['train', '--resume', join(dir, 'ck'), '--epochs', '3'], resumed),
      0,
      resumed.stderr.join('\n'),
    );
    const final = (io: { stdout: string[] }) =>
      io.stdout.find((l) => l.startsWith('test accuracy'))!.replace(/; .*$/, '');
    assert.equal(final(resumed), final(whole));
    const epochLines = (io: { stdout: string[] }) =>
      io.stdout.filter((l) => /^\s+[23]\s/.test(l)).map((l) => l.slice(0, 60));
    assert.deepEqual(epochLines(resumed), epochLines(whole));
    assert.match(resumed.stdout.join('\n'), /switched from adam to sgd after epoch 2/);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.length >= 1);
    assert.equal(lines[0].format, 'descent-train-log');
    // The resumed run keeps the saved --log and goes on appending to it.
    assert.deepEqual(
      lines.filter((l) => l.type === 'epoch').map((l) => l.epoch),
      [1, 2, 3],
    );
  });

  test('--checkpoint-every without a checkpoint directory is a usage error', async () => {
    const io = capture();
    assert.equal(await main(['train', '--checkpoint-every', '5'], io), 2);
    assert.match(io.stderr[0]!, /--checkpoint-every N needs --checkpoint DIR/);
  });

  test('--resume of a run killed before its first checkpoint is a usage error that says how to restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-no-checkpoint-'));
    writeFileSync(join(dir, 'descent-run.json'), '{"command": "train", "options": {"hidden": [16]}}');
    const io = capture();
    assert.equal(await main(['train', '--resume', dir], io), 2);
    assert.match(io.stderr[0]!, /--resume .*holds no checkpoint yet.*--config .*descent-run\.json/);
  });

  test('--resume of a directory without a run configuration is a usage error', async () => {
    const io = capture();
    assert.equal(await main(['train', '--resume', mkdtempSync(join(tmpdir(), 'descent-empty-'))], io), 2);
    assert.match(io.stderr[0]!, /--resume .*cannot read .*descent-run\.json/);
  });

  test('--augment trains on freshly augmented images, reproducibly for a seed', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const io = capture();
      const args = [
        'train',
        '--augment',
        'brightness=0.3,rotate=10,crop=2,flip',
        '--epochs',
        '1',
        '--hidden',
        '16',
        '--validation',
        '800',
      ];
      assert.equal(await main(args, io), 0, io.stderr.join('\n'));
      runs.push(
        io.stdout
          .filter((l) => /^\s+1\s/.test(l) || l.startsWith('test accuracy'))
          .map((l) => l.replace(/\d+\.\d+s/g, '')),
      );
    }
    assert.deepEqual(runs[0], runs[1]);
    const plain = capture();
    await main(['train', '--epochs', '1', '--hidden', '16', '--validation', '800'], plain);
    const epochLine = (lines: string[]) => lines.find((l) => /^\s+1\s/.test(l))!;
    assert.notEqual(
      epochLine(runs[0]!),
      epochLine(plain.stdout).replace(/\d+\.\d+s/g, ''),
      'augmentation changes what is trained on',
    );
  });

  const bad: [string[], RegExp][] = [
    [['--augment', 'rotat=3'], /--augment: unknown augmentation 'rotat' \(did you mean 'rotate'\?\)/],
    [['--lr', 'abc'], /--lr expects a number, got 'abc'/],
    [['--lr', '-1'], /--lr must be greater than 0, got -1/],
    [['--activation', 'foo'], /--activation must be one of relu, .*; got 'foo'/],
    [['--optimizer', 'adamm'], /--optimizer must be one of sgd, adam, .*; got 'adamm'/],
    [['--dataset', 'cifar'], /--dataset must be one of .*fashion-mnist.*; got 'cifar'/],
    [['--hidden', '64,x'], /--hidden expects an integer, got 'x'/],
    [['--batch-size', '0'], /--batch-size must be at least 1, got 0/],
    [['--lrr', '3'], /unknown option --lrr \(did you mean --lr\?\)/],
    [['--epochs'], /--epochs needs a value/],
    [['--data-dir', '/nonexistent/descent'], /--data-dir '\/nonexistent\/descent' is not a directory/],
  ];
  for (const [args, message] of bad) {
    test(`rejects ${args.join(' ')} with exit code 2 and a one-line error`, async () => {
      const io = capture();
      const code = await main(['train', ...args], io);
      assert.equal(code, 2);
      assert.equal(io.stderr.length, 1);
      assert.match(io.stderr[0]!, message);
    });
  }

  test('--help lists every option with its default', async () => {
    const io = capture();
    assert.equal(await main(['train', '--help'], io), 0);
    const help = io.stdout.join('\n');
    for (const option of [
      '--dataset',
      '--data-dir',
      '--hidden',
      '--activation',
      '--optimizer',
      '--lr',
      '--momentum',
      '--batch-size',
      '--epochs',
      '--seed',
    ]) {
      assert.ok(help.includes(option), option);
    }
    assert.match(help, /--epochs N\s+Passes over the training set \(default: 5\)/);
  });

  test('an unknown command names the available ones', async () => {
    const io = capture();
    assert.equal(await main(['trian'], io), 2);
    assert.match(io.stderr[0]!, /unknown command 'trian'; available: train/);
  });

  test('a missing dataset without download names the places searched and the fixes', async () => {
    // An empty user cache, so that nothing on this machine can satisfy the lookup.
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'descent-cache-'));
    try {
      const io = capture();
      const code = await main(['train', '--dataset', 'mnist', '--no-download'], io);
      assert.equal(code, 1);
      const message = io.stderr.join('\n');
      assert.match(message, /MNIST not found\. Searched:/);
      assert.match(message, /user cache: .*descent-cache-.*mnist \(does not exist\)/);
      assert.match(message, /Downloading is turned off/);
      assert.match(message, /--data-dir <folder> or set DESCENT_DATA_DIR=<folder>/);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
