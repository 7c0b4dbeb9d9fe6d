/**
 * `descent evaluate --checkpoint DIR`: measures a trained model on the test set (or the validation or
 * training split): mean cross-entropy loss, accuracy, per-class precision, recall and F1 with the
 * macro average (scikit-learn's `classification_report`), and the confusion matrix.
 */
import { ConfusionMatrix, classificationReport } from '../../train/metrics.js';
import { evaluate } from '../../train/trainer.js';
import type { CommandSpec, ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';
import {
  CHECKPOINT_OPTIONS,
  DATA_OPTIONS,
  formatCount,
  loadRunData,
  loadTrainedModel,
  modelImageShape,
  pct,
} from '../run-setup.js';

export const evaluateCommand: CommandSpec = {
  name: 'evaluate',
  summary:
    'Evaluate a trained model: test loss and accuracy, per-class precision, recall and F1, and the confusion matrix.',
  options: [
    ...CHECKPOINT_OPTIONS,
    ...DATA_OPTIONS,
    { name: 'split', kind: 'string', choices: ['test', 'validation', 'train'], default: 'test', description: 'Which images to evaluate on (validation: the --validation images held out of the training set)' },
    { name: 'batch-size', kind: 'integer', min: 1, default: 1000, description: 'Images per forward pass' },
  ], // prettier-ignore
  epilog: [
    'The dataset, data folder and validation split default to those of the training run, when the checkpoint',
    'directory holds its descent-run.json (written by descent train --checkpoint).',
    '',
    'Examples:',
    '  descent evaluate --checkpoint runs/cnn/best',
    '  descent evaluate --checkpoint runs/cnn --dataset fashion-mnist --split validation',
  ].join('\n'),
};

/** A table of rows of cells, columns padded: the first left-aligned, the others right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export async function runEvaluate(options: ParsedOptions, io: CliIo): Promise<number> {
  const trained = loadTrainedModel(options, 'evaluate');
  // The run's dataset and validation split unless the command line names others.
  const data = await loadRunData(trained.options, io);
  const split = options.split as 'test' | 'validation' | 'train';
  const set = data[split];
  const [channels, height, width] = modelImageShape(trained.spec);
  if (channels !== 1 || height !== set.rows || width !== set.cols) {
    throw new Error(
      `${trained.description} takes ${channels}x${height}x${width} images, but ${data.name} holds 1x${set.rows}x${set.cols}`,
    );
  }
  if (trained.spec.classes !== data.classes) {
    throw new Error(
      `${trained.description} has ${trained.spec.classes} classes, but ${data.name} has ${data.classes}`,
    );
  }
  const classNames = set.classes;
  const result = evaluate(trained.model, set, {
    metrics: ['accuracy', new ConfusionMatrix(data.classes)],
    batchSize: options['batch-size'] as number,
    dtype: trained.dtype,
  });
  const matrix = result.values.confusion as number[][];
  const report = classificationReport(matrix);
  const accuracy = result.metrics.accuracy!;
  const correct = matrix.reduce((s, row, k) => s + row[k]!, 0);

  io.out(`Descent: evaluating ${trained.description}`);
  io.out(
    `  weights ${trained.weightsFile}${trained.step !== null ? ` (step ${formatCount(trained.step)})` : ''}`,
  );
  io.out(`  ${data.name} ${split} set from ${data.source}: ${formatCount(result.samples)} images`);
  io.out('');
  io.out(
    `${split} loss ${result.loss.toFixed(4)}, accuracy ${pct(accuracy)} (${formatCount(correct)}/${formatCount(result.samples)}), ` +
      `${result.seconds.toFixed(1)} s`,
  );
  io.out('');
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');
  for (const line of table([
    ['class', 'precision', 'recall', 'f1', 'support'],
    ...classNames.map((name, k) => [
      `${k} ${name}`,
      f(report.precision[k]!),
      f(report.recall[k]!),
      f(report.f1[k]!),
      formatCount(report.support[k]!),
    ]),
    [
      'macro avg',
      f(report.macro.precision),
      f(report.macro.recall),
      f(report.macro.f1),
      formatCount(result.samples),
    ],
  ])) {
    io.out(line);
  }
  io.out('');
  io.out('confusion matrix (rows: true class, columns: predicted class)');
  for (const line of table([
    ['', ...classNames.map((_, k) => String(k))],
    ...matrix.map((row, k) => [`${k} ${classNames[k]}`, ...row.map(String)]),
  ])) {
    io.out(line);
  }
  return 0;
}
