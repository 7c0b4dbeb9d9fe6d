/**
 * `descent compare`: trains the same MLP from the same initial weights on the same batch order with
 * each optimizer (or recipe: adam-then-sgd, swats), ranks them by final validation loss, and writes
 * the learning curves as a plot (SVG or PNG) and the histories as JSON.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SwitchEvent } from '../../optim/switching/index.js';
import type { EpochRecord } from '../../train/fit.js';
import { PALETTE, type LineSeries } from '../../report/spec.js';
import { writeFileAtomic, writePlot } from '../../report/write.js';
import { UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';
import { formatSeconds } from '../progress.js';
import {
  DATA_OPTIONS,
  MODEL_OPTIONS,
  TRAINING_OPTIONS,
  buildModel,
  formatCount,
  loadRunData,
  pct,
  testModel,
  trainWithOptions,
  augmentTransform,
} from '../run-setup.js';
import { buildOptimizer, parseOptimizerArg, type OptimizerChoice } from '../optimizer-spec.js';
import { parseScheduleArg } from '../schedule-presets.js';
import { CONFIG_OPTIONS, printConfigIfAsked } from '../config.js';

export const compareCommand: CommandSpec = {
  name: 'compare',
  summary:
    'Train the same model from the same initial weights and data order with several optimizers, print a ranking ' +
    'table and write the learning curves as a plot.',
  options: [
    { name: 'optimizers', kind: 'string', default: 'sgd,adam,adamw,adam-then-sgd,swats', metavar: 'A,B,...', check: (v) => void parseOptimizerList(v), description: "Optimizers to compare, each NAME[:key=value;...] (options joined by ';' here, e.g. adam:lr=3e-3;eps=1e-7)" },
    ...DATA_OPTIONS,
    ...MODEL_OPTIONS,
    ...TRAINING_OPTIONS,
    { name: 'plot', kind: 'string', default: 'descent-compare.svg', metavar: 'PATH', check: checkPlotPath, description: 'Where to write the curves (.svg or .png); the histories go beside it as .json' },
    ...CONFIG_OPTIONS,
  ], // prettier-ignore
  epilog: [
    'Examples:',
    '  descent compare --optimizers sgd,adam,adamw,adam-then-sgd,swats',
    '  descent compare --dataset fashion-mnist --optimizers sgd:lr=0.05,adam:lr=3e-3 --epochs 10 --plot curves.png',
  ].join('\n'),
};

interface RunResult {
  choice: OptimizerChoice;
  history: EpochRecord[];
  testAccuracy: number;
  seconds: number;
  switches: SwitchEvent[];
}

/** The --optimizers list; inside one optimizer's options ';' separates key=value pairs, since ',' separates optimizers. */
function parseOptimizerList(value: string): OptimizerChoice[] {
  const choices = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => parseOptimizerArg(s.replace(/;/g, ','), '--optimizers'));
  if (choices.length === 0)
    throw new UsageError('descent compare: --optimizers needs at least one optimizer');
  return choices;
}

function checkPlotPath(path: string): void {
  if (!/\.(svg|png)$/i.test(path))
    throw new UsageError(`descent compare: --plot must end in .svg or .png, got '${path}'`);
}

export async function runCompare(options: ParsedOptions, io: CliIo): Promise<number> {
  if (printConfigIfAsked(compareCommand, options, io)) return 0;
  checkPlotPath(options.plot as string);
  const plotPath = resolve(options.plot as string);
  const choices = parseOptimizerList(options.optimizers as string);
  parseScheduleArg(options.schedule as string); // a bad --schedule fails before any data loads
  augmentTransform(options); // a bad --augment fails before any data loads
  const data = await loadRunData(options, io);
  const epochs = options.epochs as number;
  const batchSize = options['batch-size'] as number;
  const seed = options.seed as number;

  io.out(`Descent: comparing ${choices.map((c) => c.label).join(', ')} on ${data.name} from ${data.source}`);
  io.out(
    `  ${formatCount(data.train.count)} train / ${formatCount(data.validation.count)} validation / ${formatCount(data.test.count)} test images, ` +
      `batch ${batchSize}, ${epochs} epochs, seed ${seed}: every run starts from the same weights and sees the same batches`,
  );
  const results: RunResult[] = [];
  for (const choice of choices) {
    const { model } = buildModel(options, data); // same seed, so the same initial weights
    const optimizer = buildOptimizer(choice, model.parameters(), { epochs });
    const { history, switches } = trainWithOptions(model, optimizer, choice, data, options, io, {
      label: choice.label,
    });
    const test = testModel(model, data, options);
    const seconds = history.reduce((s, r) => s + r.seconds, 0);
    const last = history[history.length - 1]!;
    io.out(
      `  ${choice.label}: val loss ${last.valLoss.toFixed(4)}, val acc ${pct(last.valAccuracy)}, ${formatSeconds(seconds)}` +
        switches
          .map((e) => `; switched ${e.from}→${e.to} after epoch ${e.epoch} at lr ${e.lr.toPrecision(3)}`)
          .join(''),
    );
    results.push({ choice, history, testAccuracy: test.accuracy, seconds, switches });
  }

  const ranked = [...results].sort((a, b) => finalVal(a) - finalVal(b));
  io.out('');
  io.out('rank  optimizer              val loss  val acc  best epoch  best val loss  test acc    time');
  ranked.forEach((r, i) => {
    const best = r.history.reduce((b, e) => (e.valLoss < b.valLoss ? e : b));
    const last = r.history[r.history.length - 1]!;
    io.out(
      `${String(i + 1).padStart(4)}  ${r.choice.label.padEnd(20).slice(0, 20)}  ${last.valLoss.toFixed(4).padStart(8)}  ${pct(last.valAccuracy).padStart(7)}  ` +
        `${String(best.epoch).padStart(10)}  ${best.valLoss.toFixed(4).padStart(13)}  ${pct(r.testAccuracy).padStart(8)}  ${formatSeconds(r.seconds).padStart(6)}`,
    );
  });

  await mkdir(dirname(plotPath), { recursive: true });
  const series: LineSeries[] = results.flatMap((r, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const x = r.history.map((e) => e.epoch);
    return [
      { name: `${r.choice.label} (validation)`, x, y: r.history.map((e) => e.valLoss), color },
      {
        name: `${r.choice.label} (train)`,
        x,
        y: r.history.map((e) => e.trainLoss),
        color,
        width: 1.5,
        opacity: 0.4,
      },
    ];
  });
  await writePlot(plotPath, {
    title: `Optimizers on ${data.name}: loss per epoch (same weights, same batches)`,
    xLabel: 'epoch',
    yLabel: 'cross-entropy loss',
    series,
  });
  const jsonPath = plotPath.replace(/\.(svg|png)$/i, '.json');
  await writeFileAtomic(
    jsonPath,
    JSON.stringify(
      {
        dataset: data.name,
        epochs,
        batchSize,
        seed,
        runs: results.map((r) => ({
          optimizer: r.choice.label,
          history: r.history,
          testAccuracy: r.testAccuracy,
          switches: r.switches,
        })),
      },
      (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n',
  );
  io.out('');
  io.out(`curves written to ${plotPath}`);
  io.out(`histories written to ${jsonPath}`);
  return 0;
}

function finalVal(r: RunResult): number {
  const v = r.history[r.history.length - 1]!.valLoss;
  return Number.isFinite(v) ? v : Infinity;
}
