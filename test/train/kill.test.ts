/**
 * The SIGKILL test: a training process (fixtures/train-child.ts) is killed 24 times at seeded random
 * moments — during start-up and resume, mid-epoch, and mid-checkpoint-write (the child announces
 * each rename and sleeps before it) — and restarted each time; it resumes from its latest checkpoint.
 * After every kill, every checkpoint left on disk must load into a fresh trainer and the latest must
 * never move backwards. Finally the run completes, and its final weights must equal those of an
 * uninterrupted run bit for bit, and its JSONL log must read as the uninterrupted run's.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

import { Generator } from '../../src/tensor/random.js';
import { checkpointPosition, latestCheckpoint } from '../../src/train/index.js';
import { buildRun, runToEnd } from './fixtures/train-child.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const CHILD = join(here, 'fixtures', 'train-child.ts');
const KILLS = 24;
const SLOW_WRITE_MS = 40;

const root = makeTempDir('descent-kill-');
after(() => rmSync(root, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line (from now on, or already seen) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(dir: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
    cwd: repo,
    env: {
      ...process.env,
      TRAIN_CHILD_SLOW_WRITE_MS: String(SLOW_WRITE_MS),
      TRAIN_CHILD_STEP_DELAY_MS: '5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    lines,
    exit,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no '${pattern}' from the child in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({ pattern, resolve: done });
        void exit.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(`the child exited (code ${code}, signal ${signal}) before '${pattern}'\n${stderr}`),
          );
        });
      });
    },
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads every checkpoint in `dir` into a fresh trainer; returns their names. */
function checkAllLoad(dir: string, scratch: string): { loaded: string[]; leftovers: string[] } {
  const loaded: string[] = [];
  const leftovers: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { loaded, leftovers };
  }
  for (const name of names) {
    if (name.startsWith('.tmp-') || name.startsWith('.trash-')) {
      leftovers.push(name);
      continue;
    }
    const { trainer } = buildRun(scratch);
    try {
      trainer.resume(join(dir, name));
    } catch (error) {
      throw new Error(`checkpoint ${name} does not load: ${(error as Error).message}`);
    }
    loaded.push(name);
  }
  return { loaded, leftovers };
}

/** The log lines that an uninterrupted run also writes, without times. */
function logLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.type !== 'resume')
    .map(({ time: _t, seconds: _s, ...rest }) => rest);
}

describe('SIGKILL during training', () => {
  it(`${KILLS} kills at random moments, every checkpoint loads, and the final weights match bit for bit`, async (t) => {
    // The uninterrupted reference, in this process.
    const reference = join(root, 'reference');
    runToEnd(reference);
    const expected = readFileSync(join(reference, 'final.safetensors'));

    const dir = join(root, 'killed');
    const checkpoints = join(dir, 'checkpoints');
    const scratch = join(root, 'scratch');
    const random = new Generator(20240607);
    const kinds: Record<string, number> = { startup: 0, training: 0, 'mid-write': 0 };
    let kills = 0;
    let leftoverKills = 0;
    let lastStep = -1;
    const resumedFrom: number[] = [];
    while (kills < KILLS) {
      const kind = kills % 4 === 0 ? 'startup' : kills % 4 === 3 ? 'mid-write' : 'training';
      const child = startChild(dir);
      // Kill points are counted in steps, not time, so the run's progress does not depend on the
      // machine's speed: a 'training' kill lands 1-12 steps after the session's start, a 'mid-write'
      // one during or just after its 1st-3rd file or checkpoint write.
      const plan = Math.floor(random.random() * 12);
      const pause = random.random();
      try {
        if (kind === 'startup') {
          await delay(pause * 700);
        } else {
          await child.waitFor(/^ready$/);
          const resumed = child.lines.find((l) => l.startsWith('resumed '));
          const start = resumed ? Number(resumed.slice('resumed '.length)) : 0;
          if (kind === 'training') {
            await child.waitFor(new RegExp(`^step ${start + 1 + plan}$`));
            await delay(pause * 20);
          } else {
            for (let k = plan % 3; k >= 0; k--) await child.waitFor(/^renaming /);
            await delay(pause * (SLOW_WRITE_MS + 10));
          }
        }
      } catch (error) {
        const { code } = await child.exit;
        if (code === 0) break; // training finished before this kill
        throw error;
      }
      child.process.kill('SIGKILL');
      const { signal } = await child.exit;
      if (signal !== 'SIGKILL') break;
      kills++;
      kinds[kind]!++;
      const resumed = child.lines.find((l) => l.startsWith('resumed '));
      if (resumed) resumedFrom.push(Number(resumed.slice('resumed '.length)));

      const { loaded, leftovers } = checkAllLoad(checkpoints, scratch);
      if (leftovers.length > 0) leftoverKills++;
      const latest = latestCheckpoint(checkpoints);
      const step = latest === null ? -1 : checkpointPosition(latest)!.step;
      assert.ok(step >= lastStep, `the latest checkpoint moved back from step ${lastStep} to ${step}`);
      lastStep = step;
      // Every complete line of the log parses (a kill never leaves a torn line in the middle).
      const log = existsSync(join(dir, 'log.jsonl')) ? readFileSync(join(dir, 'log.jsonl'), 'utf8') : '';
      const complete = log.endsWith('\n') ? log : log.slice(0, log.lastIndexOf('\n') + 1);
      for (const line of complete.split('\n').filter(Boolean)) JSON.parse(line);
      t.diagnostic(
        `kill ${kills} (${kind}): latest checkpoint at step ${step}; loaded ${loaded.length} checkpoint(s)` +
          (leftovers.length ? `; left mid-write: ${leftovers.join(', ')}` : ''),
      );
    }
    assert.ok(kills >= 20, `only ${kills} kills landed before training finished`);

    const last = startChild(dir);
    const { code } = await last.exit;
    assert.equal(code, 0, `the final run failed:\n${last.lines.join('\n')}`);
    assert.ok(last.lines.includes('done'));
    const actual = readFileSync(join(dir, 'final.safetensors'));
    assert.ok(actual.equals(expected), 'the final weights differ from the uninterrupted run');
    assert.deepEqual(logLines(join(dir, 'log.jsonl')), logLines(join(reference, 'log.jsonl')));
    t.diagnostic(
      `${kills} kills (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )}); ${leftoverKills} left a temporary directory behind; resumed from steps ${resumedFrom.join(', ')}`,
    );
    assert.ok(leftoverKills >= 1, 'no kill landed mid-write');
  });
});
