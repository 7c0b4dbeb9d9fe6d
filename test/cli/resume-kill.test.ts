/**
 * SIGKILL of the real CLI: `descent train --checkpoint DIR --checkpoint-every 5` (a small MLP on the
 * embedded subset, Adam switching to SGD after epoch 1 under a cosine schedule, augmented images,
 * clipping) is killed at seeded random moments — during start-up, mid-epoch, and while a checkpoint
 * is being written — and continued each time with `descent train --resume DIR`. After every kill,
 * every checkpoint on disk must load and the latest must never move back; at the end the weights
 * must equal an uninterrupted run's byte for byte, and the JSONL log must read as its log.
 *
 * The killed processes preload fixtures/announce-writes.ts, which prints `renaming <target>` before
 * every atomic rename (and, in the mid-write sessions, holds it for a while), so kills are timed by
 * checkpoint writes rather than by the clock: the run's progress does not depend on the machine's
 * speed. The reference run is the plain CLI, run alongside.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

import { loadTrainedModel } from '../../src/cli/run-setup.js';
import { Generator } from '../../src/tensor/random.js';
import { checkpointPosition, latestCheckpoint, readCheckpoint } from '../../src/train/checkpoint.js';
import { makeTempDir } from '../train/fixtures/temp-dir.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const BIN = join(repo, 'src', 'cli', 'bin.ts');
const PRELOAD = pathToFileURL(join(here, 'fixtures', 'announce-writes.ts')).href;
const STEPS_PER_EPOCH = 141;
const EVERY = 5;
/** 9,000 training images in batches of 64: 141 steps an epoch, 282 in all; `last` every EVERY steps. */
const RUN = [
  '--hidden', '16', '--epochs', '2', '--batch-size', '64', '--validation', '1000', '--seed', '11',
  '--optimizer', 'adam', '--switch', 'sgd@1', '--schedule', 'cosine', '--augment', 'flip,crop=2',
  '--clip-norm', '1', '--checkpoint-every', String(EVERY),
]; // prettier-ignore
/**
 * What each session of the killed run meets: a kill while it starts, a few steps into training (up
 * to 30 on from where it resumed), during a checkpoint write (its 1st to 3rd), or at a step in epoch 2
 * (after the switch to SGD). However the draws fall, the run cannot finish before the last kill.
 */
const PLAN = ['startup', 'training', 'mid-write', 'epoch-2', 'mid-write', 'training'] as const;
/** How long a mid-write session holds each write between fsync and rename. */
const HOLD_MS = 300;
/** A checkpoint directory's rename, as announced by the preload. */
const CHECKPOINT_WRITE = /^renaming .*[/\\](last|best)$/;

const root = makeTempDir('descent-cli-kill-');
/** The CLI processes still running, killed if the test fails half-way. */
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

interface Cli {
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves when `count` stderr lines (from the start) have matched `pattern`. */
  waitFor(pattern: RegExp, count: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[], options: { preload: boolean; holdMs?: number }): Cli {
  const flags = ['--import', 'tsx', ...(options.preload ? ['--import', PRELOAD] : [])];
  const child = spawn(process.execPath, [...flags, BIN, 'train', ...args], {
    cwd: repo,
    env: { ...process.env, DESCENT_TEST_SLOW_WRITE_MS: String(options.holdMs ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { pattern: RegExp; count: number; resolve: () => void }[] = [];
  const settle = () => {
    for (const w of [...waiters]) {
      if (stderr.filter((l) => w.pattern.test(l)).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const collect = (stream: NodeJS.ReadableStream, into: string[], onLine?: () => void) => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      into.push(...lines);
      onLine?.();
    });
  };
  collect(child.stdout!, stdout);
  collect(child.stderr!, stderr, settle);
  running.add(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    process: child,
    stdout,
    stderr,
    exit,
    waitFor(pattern, count) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, count, resolve });
        settle();
        void exit.then(({ code, signal }) =>
          reject(
            new Error(
              `descent train exited (code ${code}, signal ${signal}) before ${count} × ${pattern}\n` +
                stderr.join('\n'),
            ),
          ),
        );
      });
    },
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads every checkpoint in `dir` (full validation, then into a model); returns the names, and any write left mid-way. */
function checkAllLoad(dir: string): { loaded: string[]; leftovers: string[] } {
  const loaded: string[] = [];
  const leftovers: string[] = [];
  if (!existsSync(dir)) return { loaded, leftovers };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name.startsWith('.tmp-') || entry.name.startsWith('.trash-')) {
      leftovers.push(entry.name);
      continue;
    }
    const path = join(dir, entry.name);
    try {
      readCheckpoint(path);
      loadTrainedModel({ checkpoint: path }, 'resume-kill test');
    } catch (error) {
      throw new Error(`checkpoint ${entry.name} does not load: ${(error as Error).message}`);
    }
    loaded.push(entry.name);
  }
  return { loaded, leftovers };
}

/** The log's records as an uninterrupted run writes them: no resume markers, no times. */
function logRecords(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.type !== 'resume')
    .map(({ time: _t, seconds: _s, ...rest }) => rest);
}

const testAccuracy = (cli: Cli) =>
  cli.stdout.find((l) => l.startsWith('test accuracy'))?.replace(/; .*$/, '');

describe('descent train --checkpoint-every, killed with SIGKILL', () => {
  it(`${PLAN.length} kills, every checkpoint loads, --resume ends with the uninterrupted run's weights and log`, async (t) => {
    // The uninterrupted reference runs alongside the killed run (two cores: one each).
    const reference = join(root, 'reference');
    const referenceArgs = ['--checkpoint', join(reference, 'ck'), '--log', join(reference, 'log.jsonl')];
    const whole = startCli([...RUN, ...referenceArgs], { preload: false });

    const ck = join(root, 'killed', 'ck');
    const log = join(root, 'killed', 'log.jsonl');
    const random = new Generator(20261128);
    let lastStep = -1;
    let midWrite = 0;
    for (const [i, kind] of PLAN.entries()) {
      const resuming = latestCheckpoint(ck) !== null;
      const before = new Set(checkAllLoad(ck).leftovers);
      const cli = startCli(resuming ? ['--resume', ck] : [...RUN, '--checkpoint', ck, '--log', log], {
        preload: true,
        holdMs: kind === 'mid-write' ? HOLD_MS : 0,
      });
      // Kill points are counted in checkpoint writes (one every EVERY steps), not in time.
      const start = resuming ? checkpointPosition(latestCheckpoint(ck)!)!.step : 0;
      const r = random.random();
      const pause = random.random();
      const target =
        kind === 'epoch-2'
          ? Math.max(start + EVERY, STEPS_PER_EPOCH + EVERY + Math.floor(r * 60))
          : start + EVERY + Math.floor(r * 26);
      const writes = kind === 'mid-write' ? 1 + Math.floor(r * 3) : Math.ceil((target - start) / EVERY);
      if (kind === 'startup') await delay(200 + pause * 1500);
      else {
        await cli.waitFor(CHECKPOINT_WRITE, writes);
        // A training kill lands up to a few steps after the write, a mid-write one while it is held.
        await delay(kind === 'mid-write' ? pause * (HOLD_MS / 2) : pause * 60);
      }
      cli.process.kill('SIGKILL');
      const { signal } = await cli.exit;
      assert.equal(signal, 'SIGKILL', `session ${i + 1} ended before its kill:\n${cli.stderr.join('\n')}`);

      const { loaded, leftovers } = checkAllLoad(ck);
      // A temporary checkpoint directory this session started and never renamed into place.
      if (kind === 'mid-write' && leftovers.some((n) => !before.has(n))) midWrite++;
      const latest = latestCheckpoint(ck);
      const position = latest === null ? null : checkpointPosition(latest);
      const step = position?.step ?? -1;
      assert.ok(step >= lastStep, `the latest checkpoint moved back from step ${lastStep} to ${step}`);
      lastStep = step;
      // Every complete line of the log parses.
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
      for (const line of complete.filter(Boolean)) JSON.parse(line);
      t.diagnostic(
        `kill ${i + 1} (${kind}${resuming ? ', resumed' : ''}): latest checkpoint at step ${step}` +
          (position ? ` (epoch ${position.epoch + 1}, batch ${position.batch})` : '') +
          `; loaded ${loaded.join(', ') || 'none'}${leftovers.length ? `; left mid-write: ${leftovers.join(', ')}` : ''}`,
      );
    }
    assert.ok(midWrite >= 1, 'no kill landed while a checkpoint was being written');

    const last = startCli(['--resume', ck], { preload: false });
    const [{ code }, reference_] = await Promise.all([last.exit, whole.exit]);
    assert.equal(code, 0, `the final --resume failed:\n${last.stderr.join('\n')}`);
    assert.equal(reference_.code, 0, `the uninterrupted run failed:\n${whole.stderr.join('\n')}`);
    const expected = readFileSync(join(reference, 'ck', 'last', 'model.safetensors'));
    const actual = readFileSync(join(ck, 'last', 'model.safetensors'));
    assert.ok(actual.equals(expected), 'the final weights differ from the uninterrupted run');
    assert.equal(testAccuracy(last), testAccuracy(whole));
    assert.ok(testAccuracy(whole), whole.stdout.join('\n'));
    assert.deepEqual(logRecords(log), logRecords(join(reference, 'log.jsonl')));
    // Mid-epoch resumes happened: some session continued from a batch inside an epoch.
    const resumes = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; batch?: number; step?: number })
      .filter((l) => l.type === 'resume');
    // (A session killed before its first checkpoint leaves no resume line: the next one cuts it off.)
    assert.ok(resumes.length >= 2, `only ${resumes.length} resume(s) in the log`);
    assert.ok(
      resumes.some((r) => (r.batch ?? 0) > 0),
      'no session resumed mid-epoch',
    );
    t.diagnostic(`resumed at steps ${resumes.map((r) => r.step).join(', ')}; ${midWrite} kill(s) mid-write`);
  });
});
