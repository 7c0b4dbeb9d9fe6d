/**
 * `descent train`: trains a multilayer perceptron on Fashion-MNIST (the embedded subset by default, so
 * it runs offline right after install) with any optimizer, learning-rate schedule, warm-up, planned
 * optimizer switch and gradient clipping, and reports per-epoch train loss, validation loss and
 * accuracy, the learning rate and the optimizer in use, then the test accuracy.
 */
import { getBackend } from '../../backend/backend.js';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchCount } from '../../data/index.js';
import { checkpointPosition, latestCheckpoint } from '../../train/checkpoint.js';
import { writeTrainingReport } from '../../report/write.js';
import { CONFIG_OPTIONS, formatRunConfig, printConfigIfAsked, runConfig } from '../config.js';
import { evaluateForReport, trainingReportFromRun } from '../train-report.js';
import { givenOptions, UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import { formatSeconds } from '../progress.js';
import type { CliIo } from '../io.js';
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
  RUN_CONFIG_FILE,
} from '../run-setup.js';
import { buildOptimizer, parseOptimizerArg } from '../optimizer-spec.js';
import { parseScheduleArg } from '../schedule-presets.js';
import { parseSwitchSpec } from '../../optim/switching/index.js';

export const trainCommand: CommandSpec = {
  name: 'train',
  summary:
    'Train a multilayer perceptron classifier on Fashion-MNIST (or MNIST) with minibatch gradient descent, ' +
    'printing train loss, validation loss and accuracy per epoch and the final test accuracy.',
  options: [
    ...DATA_OPTIONS,
    ...MODEL_OPTIONS,
    ...TRAINING_OPTIONS,
    { name: 'optimizer', kind: 'string', default: 'sgd', metavar: 'NAME[:key=value,...]', check: (v) => void parseOptimizerArg(v), description: 'Optimizer: sgd, adam, adamw, adagrad, adadelta, adamax, nadam, radam, rmsprop, rprop, asgd, lion, lamb, swats, adam-then-sgd; options such as adamw:betas=0.9/0.99' },
    { name: 'lr', kind: 'number', min: 0, exclusiveMin: true, description: 'Learning rate (default: one that suits the optimizer, 0.1 for SGD, 1e-3 for Adam)' },
    { name: 'momentum', kind: 'number', min: 0, max: 1, description: 'Momentum of SGD and RMSprop (default 0.9 for SGD)' },
    { name: 'weight-decay', kind: 'number', min: 0, description: "Weight decay (the optimizer's default when omitted)" },
    { name: 'switch', kind: 'string', metavar: 'NAME@EPOCH[:key=value,...]', check: checkSwitchSpec, description: 'Switch optimizer mid-run, e.g. sgd@3 or sgd@3:lr=0.05,momentum=0.9 or adam@2,sgd@5' },
    { name: 'checkpoint', kind: 'string', metavar: 'DIR', description: 'Write resumable checkpoints (last and best, safetensors weights + state) here after every epoch (and with --checkpoint-every mid-epoch), atomically' },
    { name: 'checkpoint-every', kind: 'integer', min: 0, default: 0, metavar: 'N', description: 'With --checkpoint: also replace DIR/last every N optimizer steps, mid-epoch, so that a killed run resumes losing at most N steps (0: after epochs only)' },
    { name: 'resume', kind: 'string', metavar: 'DIR', commandLineOnly: true, description: "Continue the run checkpointed in DIR from its latest checkpoint (mid-epoch too) with its saved options (--epochs may extend it); the final weights equal an uninterrupted run's" },
    { name: 'log', kind: 'string', metavar: 'PATH', description: 'Write a JSON line per epoch and per 50 steps to PATH (descent serve shows these logs); --resume cuts it back to the checkpoint and appends' },
    { name: 'report', kind: 'string', metavar: 'DIR', description: 'Write report.html (curves, switches, config, test metrics, confusion matrix) and the curves as SVG and PNG into DIR (default: the --checkpoint directory, if any)' },
    ...CONFIG_OPTIONS,
  ], // prettier-ignore
  epilog: [
    'Examples:',
    '  descent train                                     # embedded subset, MLP 784-256-128-10, SGD lr 0.1 momentum 0.9',
    '  descent train --dataset fashion-mnist --epochs 5  # the full 60,000/10,000 Fashion-MNIST',
    '  descent train --optimizer adamw --lr 3e-3 --weight-decay 0.01 --schedule cosine --warmup 1 --switch sgd@3 --clip-norm 1',
    "  descent train --config run.json --epochs 10       # options from a file (a checkpoint's descent-run.json too)",
    '  descent train --checkpoint runs/a --checkpoint-every 200 --log runs/a/log.jsonl',
    '  descent train --resume runs/a                     # after a crash or kill: continues from runs/a/last, mid-epoch too',
    '  descent train --optimizer adam --switch sgd@3 --print-config > run.json',
    '  descent train --optimizer adam --switch sgd@2 --report rep  # rep/report.html; loss, accuracy, lr as .svg and .png',
  ].join('\n'),
};

/** A --switch spec that does not parse is a usage error. */
function checkSwitchSpec(spec: string): void {
  try {
    parseSwitchSpec(spec);
  } catch (error) {
    throw new UsageError(`descent: --switch: ${(error as Error).message}`);
  }
}

export async function runTrain(given: ParsedOptions, io: CliIo): Promise<number> {
  const options = given.resume !== undefined ? resumedOptions(given) : given;
  if (printConfigIfAsked(trainCommand, options, io)) return 0;
  const checkpointDir = (options.checkpoint ?? options.resume) as string | undefined;
  const resumeFrom = given.resume !== undefined ? resumeCheckpoint(given.resume as string) : undefined;
  if ((options['checkpoint-every'] as number) > 0 && checkpointDir === undefined) {
    throw new UsageError('descent train: --checkpoint-every N needs --checkpoint DIR (or --resume DIR)');
  }
  const reportDir = (options.report as string | undefined) ?? checkpointDir;
  const choice = parseOptimizerArg(options.optimizer as string);
  const schedule = parseScheduleArg(options.schedule as string); // checked before the data loads
  augmentTransform(options); // a bad --augment fails before any data loads
  const data = await loadRunData(options, io);
  const { model, description } = buildModel(options, data);
  const dtype = options.dtype as 'float32' | 'float64';
  const epochs = options.epochs as number;
  const batchSize = options['batch-size'] as number;
  const seed = options.seed as number;

  if (options.lr !== undefined) choice.options.lr = options.lr;
  if (options['weight-decay'] !== undefined) choice.options.weightDecay = options['weight-decay'];
  if (options.momentum !== undefined) {
    if (choice.name !== 'sgd' && choice.name !== 'rmsprop') {
      throw new UsageError(
        `descent train: --momentum applies to sgd and rmsprop, not ${choice.name} (use --optimizer ${choice.name}:betas=0.9/0.999)`,
      );
    }
    choice.options.momentum = options.momentum;
  } else if (choice.name === 'sgd' && choice.options.momentum === undefined) choice.options.momentum = 0.9;

  const optimizer = buildOptimizer(choice, model.parameters(), {
    epochs,
    ...(options.switch !== undefined ? { switchSpec: options.switch as string } : {}),
  });
  // Read before the scheduler is built: a warm-up lowers the groups' lr at once.
  const hyper = Object.entries(optimizer.paramGroups[0]!)
    .filter(([k, v]) => ['lr', 'momentum', 'weightDecay', 'betas'].includes(k) && v !== 0)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`);

  const header = [
    `${formatCount(data.train.count)} train / ${formatCount(data.validation.count)} validation / ${formatCount(data.test.count)} test images`,
    `${choice.name} ${hyper.join(', ')}${schedule.name !== 'none' || (options.warmup as number) > 0 ? `, schedule ${schedule.name}${(options.warmup as number) > 0 ? ` after ${options.warmup as number} warm-up epoch(s)` : ''}` : ''}` +
      `${options.switch ? `, switch ${options.switch as string}` : ''}${options['clip-norm'] ? `, clip-norm ${options['clip-norm'] as number}` : ''}`,
    `batch ${batchSize}, ${epochs} epoch${epochs === 1 ? '' : 's'}, seed ${seed}, ${dtype}, backend ${getBackend().name}`,
  ];
  const title = `Descent: ${description} on ${data.name}`;
  io.out(`${title} from ${data.source}`);
  for (const line of header) io.out(`  ${line}`);
  io.out('');
  if (resumeFrom !== undefined) {
    const at = checkpointPosition(resumeFrom);
    const where = at ? ` at step ${at.step}: ${at.epoch} epoch(s) and ${at.batch} batch(es) done` : '';
    io.out(`  resuming from ${resumeFrom}${where}`);
  }
  // Saved once every option has been checked, so that a bad command line leaves a good file alone.
  if (checkpointDir !== undefined) saveRunConfig(checkpointDir, options);
  io.out('epoch  train loss  train acc  val loss  val acc        lr  optimizer       time');
  const run = trainWithOptions(model, optimizer, choice, data, options, io, {
    ...(checkpointDir !== undefined ? { checkpointDir } : {}),
    checkpointEvery: options['checkpoint-every'] as number,
    ...(resumeFrom !== undefined ? { resumeFrom } : {}),
    ...(options.log !== undefined ? { logPath: options.log as string } : {}),
    onSwitch: (e) =>
      io.out(
        `  switched from ${e.from} to ${e.to} after epoch ${e.epoch} (step ${e.step}), lr ${e.lr.toPrecision(4)} (${e.reason})`,
      ),
    onEpoch: (r) =>
      io.out(
        `${String(r.epoch).padStart(5)}  ${r.trainLoss.toFixed(4).padStart(10)}  ${pct(r.trainAccuracy).padStart(9)}  ` +
          `${(Number.isFinite(r.valLoss) ? r.valLoss.toFixed(4) : '-').padStart(8)}  ${pct(r.valAccuracy).padStart(7)}  ` +
          `${r.lr.toExponential(2).padStart(8)}  ${r.optimizer.padEnd(12)}  ${formatSeconds(r.seconds).padStart(6)}`,
      ),
  });
  const { history } = run;
  const final = testModel(model, data, options);
  const perEpoch = history.reduce((s, r) => s + r.seconds, 0) / Math.max(history.length, 1);
  io.out('');
  io.out(
    `test accuracy ${pct(final.accuracy)} (${formatCount(Math.round(final.accuracy * final.samples))}/${formatCount(final.samples)}), ` +
      `test loss ${final.loss.toFixed(4)}; ${formatSeconds(perEpoch)} per epoch of training`,
  );
  if (reportDir !== undefined) {
    const report = trainingReportFromRun(run, {
      title,
      summary: [`from ${data.source}`, ...header],
      stepsPerEpoch: batchCount(data.train.count, batchSize),
      config: { ...runConfig(trainCommand, options) },
      evaluation: evaluateForReport(model, data, dtype),
    });
    const [html] = await writeTrainingReport(reportDir, report);
    io.out(`report written to ${html}`);
  }
  return 0;
}

/** Writes the run's options next to its checkpoints, so that --resume can rebuild the same model. */
function saveRunConfig(dir: string, options: ParsedOptions): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, RUN_CONFIG_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  // The format of --config (config.ts), so that a run's saved options can be fed back.
  writeFileSync(temp, formatRunConfig(trainCommand, options));
  renameSync(temp, path);
}

/** The checkpoint --resume continues: the one furthest into the run in its directory. */
function resumeCheckpoint(dir: string): string {
  const from = latestCheckpoint(dir);
  if (from === null) {
    throw new UsageError(
      `descent train: --resume ${dir}: holds no checkpoint yet (the run stopped before its first); ` +
        `start it afresh with --config ${join(dir, RUN_CONFIG_FILE)}`,
    );
  }
  return from;
}

/** The saved options of the run in --resume's directory, with what this command line gave on top. */
function resumedOptions(given: ParsedOptions): ParsedOptions {
  const dir = given.resume as string;
  const path = join(dir, RUN_CONFIG_FILE);
  let saved: { command?: string; options?: ParsedOptions };
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as typeof saved;
  } catch (error) {
    throw new UsageError(
      `descent train: --resume ${dir}: cannot read ${path} (${(error as Error).message}); resume a directory written by --checkpoint`,
    );
  }
  if (saved.command !== 'train' || typeof saved.options !== 'object' || saved.options === null) {
    throw new UsageError(`descent train: --resume ${dir}: ${path} is not a descent train run configuration`);
  }
  const merged: ParsedOptions = { ...saved.options };
  for (const name of givenOptions(given)) merged[name] = given[name];
  return merged;
}
