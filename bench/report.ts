/**
 * Turns one run's measurements into tables: the raw numbers per section, Descent's ratios to each anchor
 * measured in the same run, Descent's memory over a long training run, and issue 4's targets with
 * pass/fail marks. Rendered as aligned text for the
 * terminal and as Markdown for bench/results/.
 */
import {
  GEMM_VARIANT_LABEL,
  GEMM_VARIANTS,
  MEMORY_FIRST_STEP,
  MEMORY_SAMPLE_EVERY,
  MEMORY_TOLERANCE,
  TRAIN_BATCH,
  type Section,
  type Settings,
} from './config.js';
import type { MachineInfo } from './machine.js';
import type { GemmCell, SectionResult } from './measure.js';

export type EngineKind = 'descent' | 'torch' | 'tfjs';

/** One engine configuration: a Descent backend at a thread count, PyTorch at a thread count, a TF.js backend. */
export interface EngineRun {
  id: string;
  label: string;
  kind: EngineKind;
  backend: string;
  threads: number;
  /** Descent's plain-TypeScript reference backend: measured, but the speed targets are not its. */
  reference: boolean;
  /** Flags for the child's Node (the relaxed-SIMD configurations run Node with relaxed SIMD enabled). */
  nodeFlags: string[];
  /**
   * The sections this configuration runs, when not all: relaxed SIMD GEMM only by default; memory on
   * Descent's non-reference backends at 1 and 2 threads only.
   */
  sections?: Section[];
  /** What the engine reported about itself (versions, SIMD flavour, threads actually used). */
  info: Record<string, unknown>;
  results: Partial<Record<Section, SectionResult>>;
}

export interface BenchRun {
  machine: MachineInfo;
  settings: Settings;
  sections: Section[];
  engines: EngineRun[];
  /** Engines not measured at all, and why (runtime missing). */
  skipped: { engine: string; note: string }[];
  command: string;
  wallSeconds: number;
}

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  notes: string[];
}

const PASS = '✓';
const FAIL = '✗';

/** The anchors Descent's ratios are taken against, in column order. */
const ANCHORS = [
  { key: 'torch', title: 'PyTorch', match: (e: EngineRun) => e.kind === 'torch' },
  {
    key: 'tfjs-wasm',
    title: 'tfjs-wasm',
    match: (e: EngineRun) => e.kind === 'tfjs' && e.backend === 'wasm',
  },
  { key: 'tfjs-cpu', title: 'tfjs-cpu', match: (e: EngineRun) => e.kind === 'tfjs' && e.backend === 'cpu' },
] as const;
type AnchorKey = (typeof ANCHORS)[number]['key'];

interface Best {
  value: number;
  engine: EngineRun;
}

/** The best value an anchor reached over its configurations (PyTorch: the better of its thread counts). */
function bestOf(
  run: BenchRun,
  anchor: AnchorKey,
  pick: (r: SectionResult) => number | undefined,
  section: Section,
  higherIsBetter: boolean,
): Best | null {
  const spec = ANCHORS.find((a) => a.key === anchor)!;
  let best: Best | null = null;
  for (const engine of run.engines.filter(spec.match)) {
    const result = engine.results[section];
    const value = result?.status === 'ok' ? pick(result) : undefined;
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!best || (higherIsBetter ? value > best.value : value < best.value)) best = { value, engine };
  }
  return best;
}

function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toPrecision(digits);
}

function ratio(value: number, anchor: Best | null): string {
  return anchor ? `${fmt(value / anchor.value)}×` : '—';
}

function mark(ok: boolean): string {
  return ok ? PASS : FAIL;
}

function statusCell(result: SectionResult | undefined): string {
  if (!result) return 'not run';
  return result.status === 'ok' ? '' : result.status;
}

function shortNote(note: string | undefined, length = 90): string {
  if (!note) return '';
  const line = note.split('\n')[0]!;
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

function cellOf(result: SectionResult | undefined, m: number, k: number, n: number, variant: string) {
  return result?.gemm?.find((c) => c.m === m && c.k === k && c.n === n && c.variant === variant);
}

/** Whether a Descent configuration runs the relaxed-SIMD (fused multiply-add) kernels, if it says. */
export function usesRelaxedSimd(info: Record<string, unknown>): boolean | undefined {
  for (const [key, value] of Object.entries(info)) {
    if (key === 'variant' && typeof value === 'string') return /relaxed/i.test(value);
    if (/relaxed/i.test(key) && typeof value === 'boolean') return value;
    if (typeof value === 'string' && /relaxed/i.test(value)) return true;
  }
  return undefined;
}

/** Issue 4's per-core GEMM floor for a configuration: 25 GFLOP/s on one thread (35 with relaxed SIMD), 45 on two. */
function gemmTarget(engine: EngineRun): number | null {
  if (engine.reference) return null;
  if (engine.threads === 1) return usesRelaxedSimd(engine.info) ? 35 : 25;
  if (engine.threads === 2) return 45;
  return null;
}

const descentOf = (run: BenchRun) => run.engines.filter((e) => e.kind === 'descent');
/** The engines that ran a section (relaxed-SIMD configurations run GEMM only by default). */
const ranSection = (run: BenchRun, section: Section) =>
  run.engines.filter((e) => !e.sections || e.sections.includes(section));
const anchorsPresent = (run: BenchRun) => ANCHORS.filter((a) => run.engines.some(a.match));

function gemmTables(run: BenchRun): Table[] {
  const shapes = run.settings.gemmShapes;
  const tables: Table[] = [];
  const engines = ranSection(run, 'gemm');
  tables.push({
    title: 'GEMM, float32 GFLOP/s (median of the timed runs; higher is better)',
    columns: ['M×K×N', 'product', ...engines.map((e) => e.label)],
    rows: shapes.flatMap(([m, k, n]) =>
      GEMM_VARIANTS.map((v) => [
        `${m}×${k}×${n}`,
        GEMM_VARIANT_LABEL[v],
        ...engines.map((e) => {
          const cell = cellOf(e.results.gemm, m, k, n, v);
          return cell ? fmt(cell.gflops) : statusCell(e.results.gemm) || '—';
        }),
      ]),
    ),
    notes: engines
      .filter((e) => e.results.gemm && e.results.gemm.status !== 'ok')
      .map((e) => `${e.label}: ${e.results.gemm!.status}: ${shortNote(e.results.gemm!.note, 200)}`),
  });
  const anchors = anchorsPresent(run);
  for (const engine of descentOf(run)) {
    const result = engine.results.gemm;
    if (result?.status !== 'ok') continue;
    const target = gemmTarget(engine);
    const rows = shapes.flatMap(([m, k, n]) =>
      GEMM_VARIANTS.map((v) => {
        const cell = cellOf(result, m, k, n, v)!;
        const pick = (r: SectionResult) => cellOf(r, m, k, n, v)?.gflops;
        return [
          `${m}×${k}×${n}`,
          GEMM_VARIANT_LABEL[v],
          fmt(cell.gflops),
          ...anchors.map((a) => ratio(cell.gflops, bestOf(run, a.key, pick, 'gemm', true))),
          target === null ? 'n/a' : `${mark(cell.gflops >= target)} ≥${target}`,
        ];
      }),
    );
    tables.push({
      title: `GEMM, ${engine.label}: GFLOP/s and Descent ÷ anchor (above 1× = Descent faster)`,
      columns: ['M×K×N', 'product', 'GFLOP/s', ...anchors.map((a) => `÷ ${a.title}`), 'target'],
      rows,
      notes: [
        target === null
          ? engine.reference
            ? 'The reference backend: issue 4 sets no speed target for it.'
            : `No GEMM target is set for ${engine.threads} threads.`
          : `Target (issue 4): every product at least ${target} GFLOP/s on ${engine.threads} thread(s)` +
            (engine.threads === 1
              ? usesRelaxedSimd(engine.info) === undefined
                ? ' (the backend does not say whether it runs relaxed SIMD; 25 assumed, 35 applies with relaxed SIMD).'
                : usesRelaxedSimd(engine.info)
                  ? ' (relaxed SIMD in use).'
                  : ' (plain SIMD).'
              : '.'),
      ],
    });
  }
  return tables;
}

function trainMeasured(result: SectionResult): string {
  const t = result.train!;
  if (t.fullEpoch) return `full epoch (${t.batches} steps)`;
  const from = `extrapolated from ${t.batches} step${t.batches === 1 ? '' : 's'} (${t.images.toLocaleString('en-US')} images)`;
  return t.capped ? `${from}, capped: too slow for the minimum` : from;
}

function trainTable(run: BenchRun, section: 'mlp' | 'cnn'): Table {
  const anchors = anchorsPresent(run);
  const pick = (r: SectionResult) => r.train?.epochSeconds;
  const torch = bestOf(run, 'torch', pick, section, false);
  const tfjsWasm = bestOf(run, 'tfjs-wasm', pick, section, false);
  const title =
    section === 'mlp'
      ? `MLP 784-256-128-10 training, Fashion-MNIST, Adam lr 1e-3, batch ${TRAIN_BATCH}: seconds per epoch (lower is better)`
      : `CNN training (Conv 32-Pool-Conv 64-Pool-Linear 128-Linear 10), Adam, batch ${TRAIN_BATCH}: seconds per epoch (lower is better)`;
  const rows = ranSection(run, section).map((engine) => {
    const result = engine.results[section];
    if (result?.status !== 'ok' || !result.train) {
      return [
        engine.label,
        statusCell(result) || '—',
        '',
        shortNote(result?.note),
        '',
        rss(result),
        ...anchors.map(() => ''),
        '',
      ];
    }
    const s = result.train.epochSeconds;
    const isDescent = engine.kind === 'descent';
    let target = '';
    if (isDescent && !engine.reference) {
      if (section === 'mlp') {
        const parts = [];
        if (torch) parts.push(`${mark(s <= torch.value)} ≤1.0× PyTorch`);
        if (tfjsWasm) parts.push(`${mark(tfjsWasm.value / s >= 20)} ≥20× faster than tfjs-wasm`);
        target = parts.join('; ') || 'no anchor';
      } else {
        target = torch ? `${mark(s <= 0.7 * torch.value)} ≤0.7× PyTorch` : 'no anchor';
      }
    } else if (isDescent) target = 'n/a';
    return [
      engine.label,
      fmt(s),
      result.train.epochCpuSeconds === undefined ? '' : fmt(result.train.epochCpuSeconds),
      trainMeasured(result),
      fmt(result.train.loss),
      rss(result),
      ...anchors.map((a) => (isDescent ? ratio(s, bestOf(run, a.key, pick, section, false)) : '')),
      target,
    ];
  });
  return {
    title,
    columns: [
      'engine',
      's/epoch',
      'CPU s/epoch',
      'measured',
      'mean loss',
      'peak RSS MiB',
      ...anchors.map((a) => `÷ ${a.title}`),
      'target',
    ],
    rows,
    notes: [
      'Ratios are Descent time ÷ anchor time: below 1× means Descent is faster. PyTorch is the better of its thread settings.',
      'An extrapolated epoch is (timed seconds ÷ images timed) × 60,000, after untimed warm-up steps.',
      'CPU s/epoch: CPU time of the process (all threads summed) over the same steps, scaled the same way. For a one-thread engine, wall time well above CPU time is time spent waiting for a core on a busy machine.',
      'Mean loss is over the timed steps only, as a check that every engine trains.',
    ],
  };
}

function inferTable(run: BenchRun): Table {
  const anchors = anchorsPresent(run);
  const pick = (r: SectionResult) => r.infer?.imagesPerSecond;
  const torch = bestOf(run, 'torch', pick, 'infer', true);
  return {
    title: 'MLP inference, batch 1024, no grad, eval mode: images per second (higher is better)',
    columns: [
      'engine',
      'images/s',
      'measured',
      'peak RSS MiB',
      ...anchors.map((a) => `÷ ${a.title}`),
      'target',
    ],
    rows: ranSection(run, 'infer').map((engine) => {
      const result = engine.results.infer;
      if (result?.status !== 'ok' || !result.infer) {
        return [
          engine.label,
          statusCell(result) || '—',
          shortNote(result?.note),
          rss(result),
          ...anchors.map(() => ''),
          '',
        ];
      }
      const v = result.infer.imagesPerSecond;
      const isDescent = engine.kind === 'descent';
      const target = !isDescent
        ? ''
        : engine.reference
          ? 'n/a'
          : torch
            ? `${mark(v >= torch.value)} ≥1.0× PyTorch`
            : 'no anchor';
      return [
        engine.label,
        fmt(v, 4),
        `${result.infer.images.toLocaleString('en-US')} images in ${result.infer.seconds.toFixed(2)} s`,
        rss(result),
        ...anchors.map((a) => (isDescent ? ratio(v, bestOf(run, a.key, pick, 'infer', true)) : '')),
        target,
      ];
    }),
    notes: ['Ratios are Descent throughput ÷ anchor throughput: above 1× means Descent is faster.'],
  };
}

/** A change as a signed percentage: +1.2%, -0.4%. */
function percent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

function memoryTarget(change: number): string {
  return `${mark(Math.abs(change) <= MEMORY_TOLERANCE)} within ±${MEMORY_TOLERANCE * 100}%`;
}

/** The step counts of the memory run, as its titles say them ("10,000"). */
function memorySteps(run: BenchRun): string {
  return run.settings.memorySteps.toLocaleString('en-US');
}

function memoryTable(run: BenchRun): Table {
  const steps = memorySteps(run);
  const quick = run.settings.mode === 'quick';
  const engines = ranSection(run, 'memory');
  const rows = engines.map((engine) => {
    const result = engine.results.memory;
    if (result?.status !== 'ok' || !result.memory) {
      return [engine.label, statusCell(result) || '—', shortNote(result?.note), '', '', '', '', ''];
    }
    const m = result.memory;
    return [
      engine.label,
      m.first.rssMiB.toFixed(1),
      m.last.rssMiB.toFixed(1),
      percent(m.rssChange),
      m.peakRssMiB.toFixed(1),
      `${m.first.heapUsedMiB.toFixed(1)} → ${m.last.heapUsedMiB.toFixed(1)}`,
      `${m.first.youngGenerationMiB.toFixed(1)} → ${m.last.youngGenerationMiB.toFixed(1)}`,
      memoryTarget(m.rssChange),
    ];
  });
  const ran = engines.filter((e) => e.results.memory?.status === 'ok' && e.results.memory.memory);
  return {
    title: `Memory over ${steps} MLP training steps${quick ? ' (--quick: 1/10 of the 10,000 the target is stated for)' : ''}`,
    columns: [
      'engine',
      `RSS step ${MEMORY_FIRST_STEP} MiB`,
      'RSS last step MiB',
      'change',
      'peak RSS sampled',
      `V8 heap used MiB ${MEMORY_FIRST_STEP} → last`,
      `young generation MiB ${MEMORY_FIRST_STEP} → last`,
      'target',
    ],
    rows,
    notes: [
      `The MLP section's model, optimizer and data (784-256-128-10, ReLU, Adam lr 1e-3, batch ${TRAIN_BATCH}, Fashion-MNIST reshuffled each epoch with a new seed) trained with trainEpoch for ${steps} steps in one process.`,
      `RSS at step ${MEMORY_FIRST_STEP} and at the last step (${steps}) is the resident set right after a full garbage collection (run twice); change is (last - step ${MEMORY_FIRST_STEP}) ÷ step ${MEMORY_FIRST_STEP}. Issue 4's target: within ${MEMORY_TOLERANCE * 100}% either way, since intermediate buffers are reused across steps.`,
      `Peak RSS sampled: the largest resident set read without a collection every ${MEMORY_SAMPLE_EVERY} steps, so it includes garbage not yet collected.`,
      "V8 heap used: live JavaScript objects after the collection. Young generation: V8's new space (its size, not its use), which V8 grows by itself up to its maximum early in a run with many short-lived objects; that growth is part of the resident set.",
      ...(quick
        ? [
            `A --quick run: ${steps} steps instead of 10,000, so the mark is indicative only; the young generation's growth after step ${MEMORY_FIRST_STEP} can be most of the change.`,
          ]
        : []),
      "Descent js (the reference backend) is not run: at about 80 ms a step, 10,000 steps would add a quarter of an hour to the run. The anchors (PyTorch, TensorFlow.js) are not run either: the target is Descent's. Wasm runs at 1 and 2 threads; relaxed SIMD only with --relaxed-everywhere.",
      ...ran.map((e) => {
        const r = e.results.memory!;
        const m = r.memory!;
        const process =
          r.processSeconds === undefined
            ? ''
            : ` (${r.processSeconds.toFixed(0)} s with start-up and data loading)`;
        const grown = m.samples.find((s) => s.youngGenerationMiB >= m.last.youngGenerationMiB);
        const young = grown
          ? `; young generation at ${fmt(m.last.youngGenerationMiB)} MiB by step ${grown.step.toLocaleString('en-US')}`
          : '';
        return `${e.label}: ${m.steps.toLocaleString('en-US')} steps in ${m.seconds.toFixed(0)} s${process}; mean loss over the last steps ${fmt(m.loss)}; arrayBuffers ${m.first.arrayBuffersMiB.toFixed(1)} → ${m.last.arrayBuffersMiB.toFixed(1)} MiB${young}.`;
      }),
    ],
  };
}

function rss(result: SectionResult | undefined): string {
  return result?.maxRssMiB === undefined ? '' : fmt(result.maxRssMiB);
}

function rssTable(run: BenchRun): Table {
  return {
    title: 'Peak RSS per measurement, MiB (each engine and section in its own process)',
    columns: ['engine', ...run.sections],
    rows: run.engines.map((e) => [
      e.label,
      ...run.sections.map((s) => rss(e.results[s]) || (e.sections && !e.sections.includes(s) ? '' : '—')),
    ]),
    notes: [
      'getrusage maxRSS of the child process: runtime, libraries and the dataset (47 MB of training bytes) included.',
    ],
  };
}

/** Issue 4's targets, each checked on every non-reference Descent configuration, best first. */
function targetTable(run: BenchRun): Table {
  const rows: string[][] = [];
  const candidates = descentOf(run).filter((e) => !e.reference);
  const none = candidates.length === 0;
  const add = (name: string, values: { engine: EngineRun; text: string; ok: boolean; score: number }[]) => {
    if (values.length === 0) {
      rows.push([
        name,
        none ? 'no non-reference Descent backend' : 'not measured (anchor or section missing)',
        '',
      ]);
      return;
    }
    values.sort((a, b) => b.score - a.score);
    const best = values[0]!;
    rows.push([
      name,
      values.map((v) => `${v.engine.label}: ${v.text} ${mark(v.ok)}`).join('; '),
      mark(best.ok),
    ]);
  };

  if (run.sections.includes('gemm')) {
    const groups: [string, (e: EngineRun) => boolean][] = [
      ['1 thread, plain SIMD', (e) => e.threads === 1 && usesRelaxedSimd(e.info) !== true],
      ['1 thread, relaxed SIMD', (e) => e.threads === 1 && usesRelaxedSimd(e.info) === true],
      ['2 threads', (e) => e.threads === 2],
    ];
    for (const [group, member] of groups) {
      const engines = candidates.filter((e) => member(e) && e.results.gemm?.status === 'ok');
      if (engines.length === 0 && group !== groups[0]![0]) continue;
      for (const v of GEMM_VARIANTS) {
        const values = engines.map((engine) => {
          const target = gemmTarget(engine)!;
          const cells = engine.results.gemm!.gemm!.filter((c) => c.variant === v);
          const worst = cells.reduce((a: GemmCell, c) => (c.gflops < a.gflops ? c : a));
          const passing = cells.filter((c) => c.gflops >= target).length;
          return {
            engine,
            text: `min ${fmt(worst.gflops)} at ${worst.m}×${worst.k}×${worst.n} (${passing}/${cells.length} shapes ≥${target})`,
            ok: passing === cells.length,
            score: worst.gflops / target,
          };
        });
        const target = engines[0] ? gemmTarget(engines[0]) : 25;
        add(`GEMM ${GEMM_VARIANT_LABEL[v]} ≥${target} GFLOP/s at every shape, ${group}`, values);
      }
    }
  }
  const trainPick = (r: SectionResult) => r.train?.epochSeconds;
  for (const [section, name, factor] of [
    ['mlp', 'MLP epoch ≤ 1.0× PyTorch', 1.0],
    ['cnn', 'CNN epoch ≤ 0.7× PyTorch', 0.7],
  ] as const) {
    if (!run.sections.includes(section)) continue;
    const torch = bestOf(run, 'torch', trainPick, section, false);
    add(
      name,
      torch
        ? candidates
            .filter((e) => e.results[section]?.status === 'ok')
            .map((engine) => {
              const r = engine.results[section]!.train!.epochSeconds / torch.value;
              return { engine, text: `${fmt(r)}×`, ok: r <= factor, score: -r };
            })
        : [],
    );
  }
  if (run.sections.includes('mlp')) {
    const tfjs = bestOf(run, 'tfjs-wasm', trainPick, 'mlp', false);
    add(
      'MLP epoch ≥ 20× faster than tfjs-wasm',
      tfjs
        ? candidates
            .filter((e) => e.results.mlp?.status === 'ok')
            .map((engine) => {
              const r = tfjs.value / engine.results.mlp!.train!.epochSeconds;
              return { engine, text: `${fmt(r)}× faster`, ok: r >= 20, score: r };
            })
        : [],
    );
  }
  if (run.sections.includes('infer')) {
    const torch = bestOf(run, 'torch', (r) => r.infer?.imagesPerSecond, 'infer', true);
    add(
      'MLP inference ≥ 1.0× PyTorch',
      torch
        ? candidates
            .filter((e) => e.results.infer?.status === 'ok')
            .map((engine) => {
              const r = engine.results.infer!.infer!.imagesPerSecond / torch.value;
              return { engine, text: `${fmt(r)}×`, ok: r >= 1, score: r };
            })
        : [],
    );
  }
  if (run.sections.includes('memory')) {
    const quick = run.settings.mode === 'quick';
    add(
      `RSS at step ${MEMORY_FIRST_STEP} and ${memorySteps(run)} within ${MEMORY_TOLERANCE * 100}%${quick ? ' (--quick; the target is stated for 10,000)' : ''}`,
      candidates
        .filter((e) => e.results.memory?.status === 'ok' && e.results.memory.memory)
        .map((engine) => {
          const change = engine.results.memory!.memory!.rssChange;
          return {
            engine,
            text: percent(change),
            ok: Math.abs(change) <= MEMORY_TOLERANCE,
            score: -Math.abs(change),
          };
        }),
    );
  }
  const notes = [
    "Checked on Descent's non-reference backends (the 'js' reference backend has no speed target); the mark on the right is the best configuration's.",
  ];
  if (run.settings.mode === 'quick')
    notes.push('A --quick run: short budgets and few steps, so the marks are indicative only.');
  if (run.machine.loadBefore > run.machine.cores * 0.25 || (run.machine.loadAfter ?? 0) > run.machine.cores)
    notes.push(
      `The machine was busy (1-minute load ${run.machine.loadBefore.toFixed(1)} before, ${run.machine.loadAfter?.toFixed(1)} after, on ${run.machine.cores} cores): every engine's numbers are lower than on an idle machine.`,
    );
  return { title: 'Targets of issue 4 (from this run)', columns: ['target', 'Descent', 'met'], rows, notes };
}

function machineTable(run: BenchRun): Table {
  const m = run.machine;
  const engines = run.engines.map((e) => {
    const facts = Object.entries(e.info)
      .filter(([, v]) => ['number', 'string', 'boolean'].includes(typeof v))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    return [e.label, facts];
  });
  return {
    title: 'Machine and run',
    columns: ['item', 'value'],
    rows: [
      ['date', m.date],
      ['CPU', `${m.cpu} (${m.cores} logical cores, ${m.memoryGiB} GiB)`],
      ['OS', m.os],
      ['Node', `${m.node} (V8 ${m.v8})`],
      ['PyTorch', m.torch ? `${m.torch}, BLAS ${m.blas ?? 'unknown'}` : 'not installed'],
      [
        'TensorFlow.js',
        m.tfjs ? `${m.tfjs} (tfjs-backend-wasm ${m.tfjsWasm ?? 'not installed'})` : 'not installed',
      ],
      ['commit', `${m.commit ?? 'unknown'}${m.dirty ? ' + uncommitted changes' : ''}`],
      ['mode', `${run.settings.mode}; sections ${run.sections.join(', ')}`],
      ['load average (1 min)', `${m.loadBefore.toFixed(2)} before, ${m.loadAfter?.toFixed(2) ?? '?'} after`],
      ['wall time', `${run.wallSeconds.toFixed(0)} s`],
      ['command', run.command],
      ...engines,
      ...run.skipped.map((s) => [s.engine, `skipped: ${s.note}`]),
    ],
    notes: [],
  };
}

export function tables(run: BenchRun): Table[] {
  const out: Table[] = [machineTable(run)];
  if (run.sections.includes('gemm')) out.push(...gemmTables(run));
  if (run.sections.includes('mlp')) out.push(trainTable(run, 'mlp'));
  if (run.sections.includes('cnn')) out.push(trainTable(run, 'cnn'));
  if (run.sections.includes('infer')) out.push(inferTable(run));
  if (run.sections.includes('memory')) out.push(memoryTable(run));
  out.push(rssTable(run), targetTable(run));
  return out;
}

export function renderText(table: Table): string {
  const widths = table.columns.map((c, i) =>
    Math.max([...c].length, ...table.rows.map((r) => [...(r[i] ?? '')].length)),
  );
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].length));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `== ${table.title}`,
    line(table.columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map(line),
    ...table.notes.map((n) => `  ${n}`),
  ].join('\n');
}

export function renderMarkdown(table: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `### ${table.title}`,
    '',
    `| ${table.columns.map(esc).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    ...(table.notes.length ? ['', ...table.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}
