/**
 * `descent inspect --image x.png --checkpoint DIR [--out grid.png]`: what a trained model sees. Runs
 * the model on one image (a file, or test image --index N of the dataset), records every layer's output
 * with `featureMaps`, and writes a PNG: the input and the class probabilities as a bar list at the top,
 * then one labelled section per convolution and pooling layer, each channel a tile normalised on its
 * own. For an MLP (no feature maps) the hidden activations are shown instead, each layer's units as
 * one square tile. The probabilities are printed too.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { DATASET_NAMES, loadDataset, type DatasetName } from '../../data/datasets.js';
import type { Image } from '../../data/transforms/image.js';
import type { DType } from '../../tensor/dtype.js';
import { recordForward, type FeatureMap } from '../../nn/hooks.js';
import { ACTIVATIONS } from '../../nn/mlp.js';
import { encodePng } from '../../report/png.js';
import { renderFeatureGrid, sectionTitle, type GridSection } from '../../report/grid.js';
import { writeFileAtomic } from '../../report/write.js';
import { UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';
import { CHECKPOINT_OPTIONS, formatCount, loadTrainedModel, modelImageShape, pct } from '../run-setup.js';
import { loadImageFile, prepareImage, rankClasses, type ModelInput } from './predict.js';

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  summary:
    "Show a trained model's feature maps for one image: writes a PNG grid of every convolution and pooling layer's " +
    'output channels with the class probabilities, and prints the probabilities.',
  options: [
    { name: 'image', kind: 'string', metavar: 'PATH', description: 'The image to look at (PNG or JPEG)' },
    { name: 'index', kind: 'integer', min: 0, description: 'Instead of --image: test image N of --dataset' },
    ...CHECKPOINT_OPTIONS,
    { name: 'out', kind: 'string', default: 'feature-maps.png', metavar: 'PATH.png', description: 'Where to write the grid' },
    { name: 'all-layers', kind: 'boolean', default: false, description: 'Show every layer with an image-shaped or hidden output, activations included' },
    { name: 'invert', kind: 'boolean', default: false, description: 'Invert the image (1 - value): for dark objects on a light background' },
    { name: 'columns', kind: 'integer', min: 1, max: 64, default: 16, description: 'Tiles per row' },
    { name: 'dataset', kind: 'string', choices: DATASET_NAMES, default: 'fashion-mnist-subset', description: "Dataset of --index and of the class names (default: the training run's, when its checkpoint directory says)" },
    { name: 'data-dir', kind: 'string', metavar: 'PATH', description: 'Folder holding the IDX files (as for descent train)' },
    { name: 'download', kind: 'boolean', default: true, description: 'Download the dataset when no local copy is found' },
  ], // prettier-ignore
  epilog: [
    'Examples:',
    '  descent inspect --image shoe.png --checkpoint runs/cnn/best --out shoe-maps.png',
    '  descent inspect --index 0 --checkpoint runs/cnn',
  ].join('\n'),
};

/** The class names of the activation layers, whose hidden outputs an MLP's grid shows. */
const ACTIVATION_TYPES = new Set(Object.values(ACTIVATIONS).map((make) => make().constructor.name));

/** Whether a layer's output gets a section: conv and pool outputs; with `all`, every 4-D output. */
function shownAsMaps(map: FeatureMap, all: boolean): boolean {
  return map.output.ndim === 4 && (all || /Conv|Pool/.test(map.type));
}

/** The hidden activations [1, F] (not the model's output), shown as one tile of units each. */
function shownAsUnits(map: FeatureMap, index: number, maps: readonly FeatureMap[], all: boolean): boolean {
  return map.output.ndim === 2 && index < maps.length - 1 && (all || ACTIVATION_TYPES.has(map.type));
}

/** A section for one layer's output of sample 0: [1, C, H, W] as C tiles, [1, F] as one near-square tile. */
function sectionOf(map: FeatureMap): GridSection {
  const values = map.output.to('float32').toTypedArray() as Float32Array;
  const [, ...shape] = map.output.shape;
  if (shape.length === 3) {
    const [channels, height, width] = shape as [number, number, number];
    return { title: sectionTitle(map.name, map.type, shape, values), data: values, channels, height, width };
  }
  const units = shape[0]!;
  const width = Math.ceil(Math.sqrt(units));
  const height = Math.ceil(units / width);
  const data = new Float32Array(width * height).fill(NaN);
  data.set(values.subarray(0, units));
  return {
    title: `${sectionTitle(map.name, map.type, shape, values)}  (${units} units as ${height}x${width})`,
    data,
    channels: 1,
    height,
    width,
    tileSize: 160,
  };
}

interface InspectInput extends ModelInput {
  label: string;
  target?: number;
  classNames?: string[];
}

async function readInput(
  options: ParsedOptions,
  shape: [number, number, number],
  io: CliIo,
  dtype: DType,
): Promise<InspectInput> {
  const path = options.image as string | undefined;
  const index = options.index as number | undefined;
  if ((path === undefined) === (index === undefined)) {
    throw new UsageError(
      'descent inspect: give either --image PATH or --index N (a test image of --dataset)',
    );
  }
  const invert = options.invert as boolean;
  if (path !== undefined) return { ...loadImageFile(path, shape, { invert, dtype }), label: path };
  const sets = await loadDataset(options.dataset as DatasetName, {
    dataDir: options['data-dir'] as string | undefined,
    download: options.download as boolean,
    log: (line: string) => io.err(line),
  });
  const test = sets.test;
  if (index! >= test.count) {
    throw new UsageError(
      `descent inspect: --index ${index} is out of range: the ${options.dataset as string} test set has ${formatCount(test.count)} images (0 to ${test.count - 1})`,
    );
  }
  const pixels = test.rows * test.cols;
  const data = Float32Array.from(
    test.images.subarray(index! * pixels, (index! + 1) * pixels),
    (b) => b / 255,
  );
  const image: Image = { data, channels: 1, height: test.rows, width: test.cols };
  if (shape[0] !== 1 || shape[1] !== test.rows || shape[2] !== test.cols) {
    throw new Error(
      `the model takes ${shape.join('x')} images, but ${options.dataset as string} holds 1x${test.rows}x${test.cols}`,
    );
  }
  const target = test.labels[index!]!;
  return {
    ...prepareImage(image, shape, { invert, dtype }),
    label: `test image ${index} of ${options.dataset as string} (true class: ${test.classes[target] ?? target})`,
    target,
    classNames: test.classes,
  };
}

export async function runInspect(options: ParsedOptions, io: CliIo): Promise<number> {
  const out = resolve(options.out as string);
  if (!/\.png$/i.test(out)) {
    throw new UsageError(`descent inspect: --out must end in .png, got '${options.out as string}'`);
  }
  const trained = loadTrainedModel(options, 'inspect');
  const shape = modelImageShape(trained.spec);
  const input = await readInput(trained.options, shape, io, trained.dtype);
  const classNames =
    input.classNames && input.classNames.length === trained.spec.classes
      ? input.classNames
      : trained.classNames;

  const { output, maps } = recordForward(trained.model, input.input);
  if (output.ndim !== 2 || output.shape[0] !== 1) {
    throw new Error(`the model's output has shape [${output.shape.join(', ')}], expected [1, classes]`);
  }
  const probabilities = Array.from(output.softmax(1).toTypedArray());
  const all = options['all-layers'] as boolean;
  let shown = maps.filter((m) => shownAsMaps(m, all));
  // A model without feature maps (an MLP): show its hidden activations instead.
  if (shown.length === 0 || all) shown = [...shown, ...maps.filter((m, i) => shownAsUnits(m, i, maps, all))];
  const sections = shown.map(sectionOf);

  const image = renderFeatureGrid({
    title: trained.description,
    input: input.image,
    probabilities: {
      labels: classNames,
      values: probabilities,
      ...(input.target !== undefined ? { target: input.target } : {}),
    },
    sections,
    columns: options.columns as number,
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, encodePng(image));

  io.out(`Descent: feature maps of ${trained.description}`);
  io.out(
    `  weights ${trained.weightsFile}${trained.step !== null ? ` (step ${formatCount(trained.step)})` : ''}`,
  );
  if (trained.specSource === 'weights') {
    io.out(
      `  (the checkpoint records no architecture; recognised from the weights, activation ${trained.spec.activation})`,
    );
  }
  io.out(`  input: ${input.label}${options.invert ? ', inverted' : ''}`);
  io.out('');
  io.out('layer  type        output');
  for (const m of maps) {
    const mark = shown.includes(m) ? '  *' : '';
    io.out(`${m.name.padStart(5)}  ${m.type.padEnd(10)}  [${m.output.shape.join(', ')}]${mark}`);
  }
  io.out('');
  io.out('class probabilities:');
  const width = Math.max(...classNames.map((c) => c.length));
  for (const k of rankClasses(probabilities)) {
    const bar = '#'.repeat(Math.round(probabilities[k]! * 40));
    const mark = input.target === k ? '  (true class)' : '';
    io.out(`  ${classNames[k]!.padEnd(width)}  ${pct(probabilities[k]!).padStart(7)}  ${bar}${mark}`);
  }
  io.out('');
  io.out(`wrote ${out} (${image.width}x${image.height}; * = layers drawn, ${sections.length} sections)`);
  if (!options.invert && options.image !== undefined && input.borderMean > 0.5) {
    io.err(
      `note: the image's border is light (mean ${input.borderMean.toFixed(2)}); the model learned light objects on black, so try --invert`,
    );
  }
  return 0;
}
