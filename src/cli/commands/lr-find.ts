/**
 * `descent lr-find`: the learning-rate range test (Smith 2017; fastai's lr_find) on the same MLP and
 * data as `descent train`: the lr grows exponentially batch by batch until the loss diverges. Prints
 * the suggested lr (where the loss falls fastest) with a conservative alternative, and writes the
 * loss-versus-lr curve as a plot. The model and optimizer are restored afterwards.
 */
import { resolve, dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { batches } from '../../data/index.js';
import { crossEntropy } from '../../nn/index.js';
import { findLearningRate } from '../../train/lr-finder.js';
import { lrFinderPlotSpec } from '../../train/lr-finder-plot.js';
import { writePlot } from '../../report/write.js';
import { UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';
import { ProgressBar } from '../progress.js';
import { DATA_OPTIONS, MODEL_OPTIONS, buildModel, loadRunData } from '../run-setup.js';
import { buildOptimizer, parseOptimizerArg } from '../optimizer-spec.js';

export const lrFindCommand: CommandSpec = {
  name: 'lr-find',
  summary:
    'Find a good learning rate with the range test: sweep the lr exponentially over a few hundred batches, ' +
    'stop when the loss diverges, print the suggestion and plot loss against lr.',
  options: [
    { name: 'optimizer', kind: 'string', default: 'sgd', metavar: 'NAME[:key=value,...]', description: 'Optimizer to tune (SGD gets momentum 0.9 unless given)' },
    ...DATA_OPTIONS,
    ...MODEL_OPTIONS,
    { name: 'start-lr', kind: 'number', min: 0, exclusiveMin: true, default: 1e-7, description: 'First learning rate of the sweep' },
    { name: 'end-lr', kind: 'number', min: 0, exclusiveMin: true, default: 10, description: 'Last learning rate of the sweep' },
    { name: 'steps', kind: 'integer', min: 5, default: 200, description: 'Batches in the sweep (at most)' },
    { name: 'plot', kind: 'string', default: 'descent-lr-find.svg', metavar: 'PATH', description: 'Where to write the curve (.svg or .png)' },
  ], // prettier-ignore
  epilog: 'Example:\n  descent lr-find --dataset fashion-mnist --optimizer sgd --plot lr-find.png',
};

export async function runLrFind(options: ParsedOptions, io: CliIo): Promise<number> {
  const plotPath = resolve(options.plot as string);
  if (!/\.(svg|png)$/i.test(plotPath))
    throw new UsageError(`descent lr-find: --plot must end in .svg or .png, got '${options.plot as string}'`);
  const startLr = options['start-lr'] as number;
  const endLr = options['end-lr'] as number;
  if (!(startLr < endLr))
    throw new UsageError(`descent lr-find: --start-lr (${startLr}) must be below --end-lr (${endLr})`);
  const choice = parseOptimizerArg(options.optimizer as string);
  if (choice.name === 'sgd' && choice.options.momentum === undefined) choice.options.momentum = 0.9;
  const data = await loadRunData(options, io);
  const { model, sizes } = buildModel(options, data);
  const optimizer = buildOptimizer(choice, model.parameters(), { epochs: 1 });
  const batchSize = options['batch-size'] as number;
  const seed = options.seed as number;
  const steps = options.steps as number;
  io.out(
    `Descent: LR range test for ${choice.label} on MLP ${sizes.join('-')}, ${data.name} from ${data.source}`,
  );
  io.out(`  lr from ${startLr} to ${endLr} over at most ${steps} batches of ${batchSize}`);
  const bar = new ProgressBar('lr sweep', steps, io.progress);
  let pass = 0;
  const result = findLearningRate({
    model,
    optimizer,
    loss: crossEntropy,
    data: () => batches(data.train, { batchSize, seed: seed * 1000 + ++pass }),
    startLr,
    endLr,
    steps,
    dtype: options.dtype as 'float32' | 'float64',
    onStep: (s) => bar.update(s.step, `lr ${s.lr.toExponential(2)} loss ${s.smoothed.toFixed(4)}`),
  });
  bar.finish();
  await mkdir(dirname(plotPath), { recursive: true });
  await writePlot(
    plotPath,
    lrFinderPlotSpec(result, { title: `LR range test: ${choice.label} on ${data.name}` }),
  );
  io.out(`  ${result.reason}`);
  io.out('');
  io.out(`suggested lr ${result.suggestedLr.toPrecision(3)} (steepest fall of the loss)`);
  io.out(
    `conservative lr ${result.conservativeLr.toPrecision(3)} (a tenth of the lr at the lowest loss, ${result.minLossLr.toPrecision(3)})`,
  );
  io.out(`curve written to ${plotPath}`);
  return 0;
}
