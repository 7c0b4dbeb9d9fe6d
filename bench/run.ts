/**
 * `npm run bench`: Descent against PyTorch and TensorFlow.js on this machine, in one run on the same
 * data (bench/README.md explains every number).
 *
 *   npm run bench                          full run (about 18-23 minutes on 2 cores)
 *   npm run bench -- --quick               smoke run (about 2 minutes), written to results/quick.*
 *   npm run bench -- --only gemm,mlp       some sections (cnn, infer, memory are the others)
 *   npm run bench -- --engines descent,torch   some engines (descent, descent-wasm, torch, tfjs-cpu, tfjs-wasm)
 *   npm run bench -- --threads 1,2         Descent thread counts for a backend that does not report its own
 *   npm run bench -- --relaxed-everywhere  also train and infer with relaxed SIMD (default: GEMM only)
 *   npm run bench -- --out NAME            write results/NAME.json and NAME.md
 *
 * Every engine and section runs in its own child process, one after another, so that each peak RSS is
 * that measurement's alone and no two measurements share the CPU. The memory section (10,000 MLP steps,
 * issue 4's flat-memory target) runs on Descent's non-reference backends only, at 1 and 2 threads.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFashionMnist } from '../src/data/index.js';
import {
  FULL,
  MEMORY_MAX_THREADS,
  QUICK,
  RESULT_PREFIX,
  SECTIONS,
  type Section,
  type Settings,
  type Task,
} from './config.js';
import { machineInfo, PYTHON } from './machine.js';
import type { SectionResult } from './measure.js';
import { renderMarkdown, renderText, tables, type BenchRun, type EngineRun } from './report.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');

interface Options {
  settings: Settings;
  sections: Section[];
  engines: string[] | null;
  threads: number[] | null;
  out: string;
  /** Run the relaxed-SIMD configurations in every section, not only GEMM. */
  relaxedEverywhere: boolean;
}

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * The sections of the anchors and of Descent's reference backend: all but memory, whose target is
 * Descent's own (and the reference backend would take hours for its 10,000 steps).
 */
const WITHOUT_MEMORY: Section[] = SECTIONS.filter((s) => s !== 'memory');

const USAGE = `usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--engines descent,torch,tfjs-cpu,tfjs-wasm] [--threads 1,2] [--relaxed-everywhere] [--out NAME]`;

function parseOptions(argv: string[]): Options {
  let settings = FULL;
  let sections: Section[] = [...SECTIONS];
  let engines: string[] | null = null;
  let threads: number[] | null = null;
  let out: string | null = null;
  let relaxedEverywhere = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--quick') settings = QUICK;
    else if (arg === '--only') {
      sections = value().split(',') as Section[];
      const bad = sections.filter((s) => !SECTIONS.includes(s));
      if (bad.length) throw new Error(`--only: unknown section ${bad.join(', ')}\n${USAGE}`);
    } else if (arg === '--engines') engines = value().split(',');
    else if (arg === '--threads') {
      threads = value().split(',').map(Number);
      if (threads.some((t) => !Number.isInteger(t) || t < 1))
        throw new Error(`--threads: expected positive integers\n${USAGE}`);
    } else if (arg === '--out') out = value();
    else if (arg === '--relaxed-everywhere') relaxedEverywhere = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  const partial = sections.length < SECTIONS.length || engines !== null;
  out ??= settings.mode === 'quick' ? 'quick' : partial ? 'partial' : 'latest';
  return { settings, sections, engines, threads, out, relaxedEverywhere };
}

interface ChildResult {
  result: SectionResult;
  seconds: number;
}

/** Runs one child process and reads its result line; a crash or a timeout becomes an 'error' result. */
function runChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  section: Section | 'probe',
  timeoutS: number,
): Promise<ChildResult> {
  const start = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    const finish = (result: SectionResult) => {
      clearTimeout(timer);
      resolvePromise({ result, seconds: (performance.now() - start) / 1000 });
    };
    child.on('error', (error) => finish({ section, status: 'error', note: error.message }));
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) return finish(JSON.parse(line.slice(RESULT_PREFIX.length)) as SectionResult);
      const why = signal === 'SIGKILL' ? `timed out after ${timeoutS} s` : `exited with ${code ?? signal}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      finish({ section, status: 'error', note: `${why}${tail ? `: ${tail}` : ''}` });
    });
  });
}

function childCommand(
  engine: EngineRun,
  task: Task,
): { command: string; args: string[]; env: Record<string, string> } {
  const json = JSON.stringify(task);
  if (engine.kind === 'torch') return { command: PYTHON, args: ['bench/torch_bench.py', json], env: {} };
  const script = engine.kind === 'descent' ? 'bench/descent.ts' : 'bench/tfjs.ts';
  const env: Record<string, string> =
    engine.kind === 'descent'
      ? { DESCENT_BACKEND: engine.backend, DESCENT_THREADS: String(engine.threads) }
      : {};
  return { command: process.execPath, args: [...engine.nodeFlags, '--import', 'tsx', script, json], env };
}

/** Builds the wasm kernels when the project has a build script and they are stale (as the tests do). */
async function ensureWasmBuilt(): Promise<void> {
  const script = join(root, 'scripts', 'build-wasm.ts');
  try {
    const module = (await import(script)) as {
      ensureWasmBuilt?: (log: (l: string) => void) => Promise<void>;
    };
    await module.ensureWasmBuilt?.((line) => console.error(`  wasm build: ${line}`));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND')
      console.error(`  wasm build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function reportedThreads(facts: Record<string, unknown>): number | undefined {
  for (const key of ['threads', 'threadCount', 'numThreads']) {
    if (typeof facts[key] === 'number') return facts[key];
  }
  return undefined;
}

/** Every engine configuration this machine can run, and those it cannot with the reason. */
async function planEngines(options: Options, skipped: BenchRun['skipped']): Promise<EngineRun[]> {
  const cores = os.availableParallelism();
  const wanted = (id: string) => !options.engines || options.engines.some((e) => id.startsWith(e));
  /** Whether any requested engine lies in a group (`--engines descent-wasm` wants the 'descent' probe). */
  const wantedGroup = (group: string) =>
    !options.engines || options.engines.some((e) => e.startsWith(group) || group.startsWith(e));
  const engines: EngineRun[] = [];
  const make = (e: Omit<EngineRun, 'results'>): EngineRun => ({ ...e, results: {} });

  if (wantedGroup('descent')) {
    await ensureWasmBuilt();
    const probe = (nodeFlags: string[]) =>
      runChild(
        process.execPath,
        [...nodeFlags, '--import', 'tsx', 'bench/descent.ts', JSON.stringify({ section: 'probe' })],
        {},
        'probe',
        120,
      );
    const plain = await probe([]);
    const backends = (plain.result.info?.['backends'] ?? {}) as Record<string, Record<string, unknown>>;
    if (plain.result.status !== 'ok')
      skipped.push({ engine: 'Descent', note: plain.result.note ?? 'probe failed' });
    // Node 20 runs relaxed SIMD only behind a flag: with it, the wasm backend loads its relaxed build.
    const wasm = backends['wasm'];
    let relaxed: Record<string, unknown> | null = null;
    if (wasm && wasm['variant'] !== undefined && wasm['variant'] !== 'relaxed') {
      const flagged = await probe([RELAXED_FLAG]);
      const facts = (flagged.result.info?.['backends'] as Record<string, Record<string, unknown>>)?.['wasm'];
      if (facts?.['variant'] === 'relaxed') relaxed = facts;
    }
    const variants: [string, Record<string, unknown>, string[]][] = Object.entries(backends).map(
      ([name, facts]) => [name, facts, []],
    );
    if (relaxed) variants.push(['wasm', relaxed, [RELAXED_FLAG]]);
    for (const [name, facts, nodeFlags] of variants) {
      const flavour = nodeFlags.length ? ' relaxed' : '';
      if (typeof facts['error'] === 'string') {
        if (wantedGroup(`descent-${name}`)) skipped.push({ engine: `Descent ${name}`, note: facts['error'] });
        continue;
      }
      const reference = name === 'js';
      const threaded = name === 'wasm' || reportedThreads(facts) !== undefined;
      const counts =
        reference || !threaded ? [1] : (options.threads ?? Array.from({ length: cores }, (_, i) => i + 1));
      for (const threads of counts) {
        const id = `descent-${name}${flavour ? '-relaxed' : ''}-t${threads}`;
        if (!wanted(id)) continue;
        // Relaxed SIMD duplicates the plain build outside GEMM unless asked for; memory needs minutes per
        // configuration, so it runs at 1 and 2 threads only.
        const sections: Section[] | undefined =
          nodeFlags.length && !options.relaxedEverywhere
            ? ['gemm']
            : reference || threads > MEMORY_MAX_THREADS
              ? WITHOUT_MEMORY
              : undefined;
        engines.push(
          make({
            id,
            label: reference ? `Descent ${name}` : `Descent ${name}${flavour} ×${threads}`,
            kind: 'descent',
            backend: name,
            threads,
            reference,
            nodeFlags,
            ...(sections ? { sections } : {}),
            info: { ...facts },
          }),
        );
      }
    }
  }

  // The anchors run every section but memory: no need to look for them when that is all there is to run.
  const anchorsNeeded = options.sections.some((s) => WITHOUT_MEMORY.includes(s));
  if (anchorsNeeded && wantedGroup('torch')) {
    const probe = await runChild(
      PYTHON,
      ['bench/torch_bench.py', JSON.stringify({ section: 'probe' })],
      {},
      'probe',
      120,
    );
    if (probe.result.status === 'ok') {
      for (const threads of [...new Set([1, Math.min(2, cores)])]) {
        if (!wanted(`torch-t${threads}`)) continue;
        engines.push(
          make({
            id: `torch-t${threads}`,
            label: `PyTorch ×${threads}`,
            kind: 'torch',
            backend: 'cpu',
            threads,
            reference: false,
            nodeFlags: [],
            sections: WITHOUT_MEMORY,
            info: { ...probe.result.info },
          }),
        );
      }
    } else {
      skipped.push({
        engine: 'PyTorch',
        note: `${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread): ${probe.result.note ?? ''}`,
      });
    }
  }

  for (const backend of ['cpu', 'wasm']) {
    if (!anchorsNeeded || !wanted(`tfjs-${backend}`)) continue;
    const pkg = backend === 'cpu' ? '@tensorflow/tfjs' : '@tensorflow/tfjs-backend-wasm';
    try {
      createRequire(import.meta.url).resolve(pkg);
    } catch {
      skipped.push({ engine: `tfjs-${backend}`, note: `${pkg} is not installed (npm ci installs it)` });
      continue;
    }
    engines.push(
      make({
        id: `tfjs-${backend}`,
        label: `tfjs-${backend}`,
        kind: 'tfjs',
        backend,
        threads: 1,
        reference: false,
        nodeFlags: [],
        sections: WITHOUT_MEMORY,
        info: {},
      }),
    );
  }
  return engines;
}

function describeResult(result: SectionResult): string {
  if (result.status !== 'ok') return `${result.status}: ${(result.note ?? '').split('\n')[0]}`;
  if (result.train) {
    const t = result.train;
    const how = t.fullEpoch
      ? 'full epoch'
      : `extrapolated from ${t.batches} step${t.batches === 1 ? '' : 's'}${t.capped ? ', capped' : ''}`;
    return `${t.epochSeconds.toFixed(2)} s/epoch (${how})`;
  }
  if (result.infer) return `${result.infer.imagesPerSecond.toFixed(0)} images/s`;
  if (result.memory) {
    const m = result.memory;
    const change = `${m.rssChange >= 0 ? '+' : ''}${(m.rssChange * 100).toFixed(1)}%`;
    return `RSS ${m.first.rssMiB.toFixed(0)} → ${m.last.rssMiB.toFixed(0)} MiB (${change}) from step ${m.first.step} to ${m.last.step}`;
  }
  if (result.gemm) {
    const best = Math.max(...result.gemm.map((c) => c.gflops));
    return `${result.gemm.length} cells, best ${best.toFixed(1)} GFLOP/s`;
  }
  return 'ok';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const skipped: BenchRun['skipped'] = [];
  console.error(`descent bench (${options.settings.mode}): sections ${options.sections.join(', ')}`);

  let dataDir: string | null = null;
  if (options.sections.some((s) => s !== 'gemm')) {
    try {
      dataDir = (await loadFashionMnist({ download: false })).location.dir;
      console.error(`  Fashion-MNIST from ${dataDir}`);
    } catch (error) {
      console.error(`  Fashion-MNIST not found, training and inference skipped: ${String(error)}`);
    }
  }

  const planned = (e: EngineRun) => options.sections.filter((s) => !e.sections || e.sections.includes(s));
  // An engine none of whose sections were asked for (the anchors under `--only memory`) is left out.
  const engines = (await planEngines(options, skipped)).filter((e) => planned(e).length > 0);
  const torchInfo = engines.find((e) => e.kind === 'torch')?.info ?? null;
  const machine = machineInfo(torchInfo);
  for (const s of skipped) console.error(`  skipped ${s.engine}: ${s.note}`);
  console.error(`  engines: ${engines.map((e) => e.label).join(', ')}`);

  const total = engines.reduce((sum, e) => sum + planned(e).length, 0);
  let done = 0;
  // Section by section, so that the engines compared in one table ran close together in time.
  for (const section of options.sections) {
    for (const engine of engines.filter((e) => planned(e).includes(section))) {
      const task: Task = {
        section,
        settings: options.settings,
        dataDir,
        backend: engine.backend,
        threads: engine.threads,
      };
      const { command, args, env } = childCommand(engine, task);
      process.stderr.write(`  [${++done}/${total}] ${section} · ${engine.label} … `);
      const { result, seconds } = await runChild(command, args, env, section, 1800);
      result.processSeconds = seconds;
      engine.results[section] = result;
      if (result.info) Object.assign(engine.info, result.info);
      const reported = engine.kind === 'descent' ? reportedThreads(result.info ?? {}) : undefined;
      if (reported !== undefined && reported !== engine.threads)
        result.note = `${result.note ? `${result.note}; ` : ''}asked for ${engine.threads} threads, backend reports ${reported}`;
      process.stderr.write(`${describeResult(result)} [${seconds.toFixed(0)} s]\n`);
    }
  }

  machine.loadAfter = os.loadavg()[0]!;
  const run: BenchRun = {
    machine,
    settings: options.settings,
    sections: options.sections,
    engines,
    skipped,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    wallSeconds: (performance.now() - started) / 1000,
  };
  const all = tables(run);
  console.log(`\n${all.map(renderText).join('\n\n')}\n`);

  mkdirSync(resultsDir, { recursive: true });
  const jsonPath = join(resultsDir, `${options.out}.json`);
  const mdPath = join(resultsDir, `${options.out}.md`);
  writeFileSync(jsonPath, `${JSON.stringify({ ...run, tables: all }, null, 2)}\n`);
  writeFileSync(
    mdPath,
    [
      `# Descent benchmark (${run.settings.mode} run, ${run.machine.date.slice(0, 10)})`,
      '',
      'Written by `npm run bench`; bench/README.md says what each number means.',
      '',
      all.map(renderMarkdown).join('\n\n'),
      '',
    ].join('\n'),
  );
  console.error(
    `wrote ${relative(root, jsonPath)} and ${relative(root, mdPath)} (${run.wallSeconds.toFixed(0)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
