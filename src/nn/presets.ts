/**
 * Model presets, the architectures `descent train --model mlp|cnn` builds, described by a small
 * serialisable spec (`ModelSpec`) so that a checkpoint can record how to rebuild its model:
 *
 *     {"type": "mlp", "inputSize": 784, "hidden": [256, 128], "classes": 10, "activation": "relu"}
 *     {"type": "cnn", "inputShape": [1, 28, 28], "channels": [32, 64], "hidden": [128], "classes": 10,
 *      "kernelSize": 3, "activation": "relu"}
 *
 * Both take flat inputs [N, C·H·W], as the data pipeline produces them: the CNN starts with an
 * `Unflatten` to [N, C, H, W], so one training loop serves both. Each is a plain Sequential, so its
 * parameter names are PyTorch's for the same `nn.Sequential` (`1.weight` is the first convolution).
 */
import type { DType } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Conv2d } from './layers/conv.js';
import { Flatten } from './layers/flatten.js';
import { Linear } from './layers/linear.js';
import { MaxPool2d } from './layers/pool.js';
import { Sequential } from './layers/sequential.js';
import { ACTIVATIONS, buildMlp, type ActivationName } from './mlp.js';
import { Module, type StateDict } from './module.js';

/**
 * Splits dimension `dim` into `unflattenedSize` (PyTorch's `nn.Unflatten`): with dim 1 and [1, 28, 28],
 * [N, 784] becomes [N, 1, 28, 28]. The dimension's size must equal the product of the new sizes.
 *
 * @example
 * new Unflatten(1, [1, 28, 28]).forward(zeros([64, 784])).shape; // [64, 1, 28, 28]
 */
export class Unflatten extends Module {
  readonly unflattenedSize: readonly number[];

  constructor(
    readonly dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    if (!Number.isInteger(dim)) throw new RangeError(`Unflatten: dim must be an integer, got ${dim}`);
    if (unflattenedSize.length === 0 || !unflattenedSize.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new RangeError(
        `Unflatten: unflattenedSize must be positive integers, got [${unflattenedSize.join(', ')}]`,
      );
    }
    this.unflattenedSize = [...unflattenedSize];
  }

  override forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) {
      throw new RangeError(
        `Unflatten: dim ${this.dim} is out of range for an input of shape [${x.shape.join(', ')}]`,
      );
    }
    const size = this.unflattenedSize.reduce((a, b) => a * b, 1);
    if (x.shape[d] !== size) {
      throw new RangeError(
        `Unflatten: dimension ${d} of the input [${x.shape.join(', ')}] has size ${x.shape[d]}, ` +
          `but [${this.unflattenedSize.join(', ')}] needs ${size}`,
      );
    }
    return x.reshape([...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=[${this.unflattenedSize.join(', ')}]`;
  }
}

// ---- specs ----

export const MODEL_TYPES = ['mlp', 'cnn'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** A multilayer perceptron: Linear(inputSize, hidden[0]) → activation → … → Linear(…, classes). */
export interface MlpSpec {
  type: 'mlp';
  /** Features of a flat input (784 for 28×28 images). */
  inputSize: number;
  /** Hidden layer sizes. */
  hidden: number[];
  classes: number;
  activation: ActivationName;
}

/**
 * A CNN: Unflatten to inputShape, then per entry of `channels` Conv(k, padding k/2) → activation →
 * MaxPool(2), then Flatten → Linear layers of sizes `hidden` (each followed by the activation) →
 * Linear(…, classes).
 */
export interface CnnSpec {
  type: 'cnn';
  /** [channels, height, width] of one image. */
  inputShape: [number, number, number];
  /** Output channels of the convolution blocks. */
  channels: number[];
  /** Sizes of the hidden Linear layers after the convolutions. */
  hidden: number[];
  classes: number;
  /** Side of the square kernels; odd, so that padding kernelSize/2 keeps the size. */
  kernelSize: number;
  activation: ActivationName;
}

export type ModelSpec = MlpSpec | CnnSpec;

/** A spec as written by hand or in a config file: everything but `type` is optional. */
export type ModelSpecInput =
  | ({ type: 'mlp' } & Partial<Omit<MlpSpec, 'type'>>)
  | ({ type: 'cnn' } & Partial<Omit<CnnSpec, 'type' | 'hidden'>> & { hidden?: number | number[] });

/** The defaults: the MLP of `descent train`, and the CNN Conv(1,32,3)-…-Linear(128,10) of issue 5. */
export const MODEL_DEFAULTS = {
  mlp: { type: 'mlp', inputSize: 784, hidden: [256, 128], classes: 10, activation: 'relu' },
  cnn: {
    type: 'cnn',
    inputShape: [1, 28, 28],
    channels: [32, 64],
    hidden: [128],
    classes: 10,
    kernelSize: 3,
    activation: 'relu',
  },
} as const satisfies { mlp: MlpSpec; cnn: CnnSpec };

/** The key under which a checkpoint's model.safetensors metadata holds the spec as JSON. */
export const MODEL_SPEC_METADATA_KEY = 'descent.model';

/** A spec problem: the message names the field (`model.channels[1]`) and what it expected. */
export class ModelSpecError extends Error {
  override name = 'ModelSpecError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ModelSpecError(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveIntegers(value: unknown, field: string, { nonEmpty = false } = {}): number[] {
  if (!Array.isArray(value)) {
    throw new ModelSpecError(`${field} must be an array of positive integers, got ${JSON.stringify(value)}`);
  }
  if (nonEmpty && value.length === 0) throw new ModelSpecError(`${field} must not be empty`);
  return value.map((v, i) => positiveInteger(v, `${field}[${i}]`));
}

/**
 * Checks a spec (parsed JSON, a config file's `model` section...) and fills in the defaults; every
 * problem raises a ModelSpecError naming the field under `where` and what it expected.
 *
 * @example
 * resolveModelSpec({ type: 'cnn', channels: [16, 32] });      // the default CNN with 16 and 32 channels
 * resolveModelSpec({ type: 'cnn', hidden: 'x' });              // ModelSpecError: model.hidden must be ...
 */
export function resolveModelSpec(value: unknown, where = 'model'): ModelSpec {
  if (!isRecord(value)) throw new ModelSpecError(`${where} must be an object, got ${JSON.stringify(value)}`);
  const type = value.type;
  if (type !== 'mlp' && type !== 'cnn') {
    throw new ModelSpecError(
      `${where}.type must be one of ${MODEL_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
    );
  }
  const defaults = MODEL_DEFAULTS[type];
  const known = Object.keys(defaults);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ModelSpecError(
        `${where}.${key} is not a field of ${type === 'mlp' ? 'an' : 'a'} ${type} spec; expected ${known.join(', ')}`,
      );
    }
  }
  const get = (key: string): unknown =>
    value[key] === undefined ? structuredClone((defaults as Record<string, unknown>)[key]) : value[key];
  const activation = get('activation');
  if (typeof activation !== 'string' || !Object.hasOwn(ACTIVATIONS, activation)) {
    throw new ModelSpecError(
      `${where}.activation must be one of ${Object.keys(ACTIVATIONS).join(', ')}, got ${JSON.stringify(activation)}`,
    );
  }
  const classes = positiveInteger(get('classes'), `${where}.classes`);
  const hiddenRaw = get('hidden');
  const hidden = positiveIntegers(typeof hiddenRaw === 'number' ? [hiddenRaw] : hiddenRaw, `${where}.hidden`);
  if (type === 'mlp') {
    return {
      type,
      inputSize: positiveInteger(get('inputSize'), `${where}.inputSize`),
      hidden,
      classes,
      activation: activation as ActivationName,
    };
  }
  const shape = positiveIntegers(get('inputShape'), `${where}.inputShape`);
  if (shape.length !== 3) {
    throw new ModelSpecError(
      `${where}.inputShape must be [channels, height, width], got ${JSON.stringify(shape)}`,
    );
  }
  const channels = positiveIntegers(get('channels'), `${where}.channels`, { nonEmpty: true });
  const kernelSize = positiveInteger(get('kernelSize'), `${where}.kernelSize`);
  if (kernelSize % 2 === 0) {
    throw new ModelSpecError(
      `${where}.kernelSize must be odd (padding kernelSize/2 keeps the size), got ${kernelSize}`,
    );
  }
  const spec: CnnSpec = {
    type,
    inputShape: shape as [number, number, number],
    channels,
    hidden,
    classes,
    kernelSize,
    activation: activation as ActivationName,
  };
  cnnFeatureShape(spec, where);
  return spec;
}

/** The shape [C, H, W] after the convolution blocks (each halves H and W, rounding down). */
export function cnnFeatureShape(spec: CnnSpec, where = 'model'): [number, number, number] {
  let [, h, w] = spec.inputShape;
  for (let i = 0; i < spec.channels.length; i++) {
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
    if (h < 1 || w < 1) {
      throw new ModelSpecError(
        `${where}.channels: ${spec.channels.length} pooling blocks shrink a ${spec.inputShape[1]}x${spec.inputShape[2]} ` +
          `input to nothing after block ${i + 1}; use at most ${i} blocks or a larger inputShape`,
      );
    }
  }
  return [spec.channels.at(-1)!, h, w];
}

/** A one-line description: 'MLP 784-256-128-10 (relu)', 'CNN 1x28x28, conv 32-64 (3x3), fc 3136-128-10 (relu)'. */
export function describeModel(spec: ModelSpec): string {
  if (spec.type === 'mlp') {
    return `MLP ${[spec.inputSize, ...spec.hidden, spec.classes].join('-')} (${spec.activation})`;
  }
  const [c, h, w] = cnnFeatureShape(spec);
  const k = spec.kernelSize;
  return (
    `CNN ${spec.inputShape.join('x')}, conv ${spec.channels.join('-')} (${k}x${k}, max-pool 2), ` +
    `fc ${[c * h * w, ...spec.hidden, spec.classes].join('-')} (${spec.activation})`
  );
}

// ---- builders ----

export interface PresetOptions {
  /** Element type of the parameters; default float32. */
  dtype?: DType;
  /** Generator for the initial weights; the global one by default. */
  generator?: Generator;
}

export interface CnnOptions extends PresetOptions {
  /** Output channels of the convolution blocks (default [32, 64]). */
  channels?: number[];
  /** Hidden Linear layer size(s) after the convolutions (default 128). */
  hidden?: number | number[];
  /** Output classes (default 10). */
  classes?: number;
  /** [channels, height, width] of one image (default [1, 28, 28]). */
  inputShape?: [number, number, number];
  /** Side of the square kernels, odd (default 3). */
  kernelSize?: number;
  /** Activation after every convolution and hidden Linear layer (default 'relu'). */
  activation?: ActivationName;
}

/**
 * The CNN preset. With the defaults it is the Fashion-MNIST CNN of issue 5, 421,642 parameters:
 *
 *     Unflatten(1, [1, 28, 28])
 *     Conv2d(1, 32, 3, padding 1) → ReLU → MaxPool2d(2)     320 params, [N, 32, 14, 14]
 *     Conv2d(32, 64, 3, padding 1) → ReLU → MaxPool2d(2)    18,496 params, [N, 64, 7, 7]
 *     Flatten → Linear(3136, 128) → ReLU                    401,536 params
 *     Linear(128, 10)                                       1,290 params
 *
 * PyTorch: `nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), ...)`
 * has the same parameter names (`1.weight`, `4.weight`, `8.weight`, `10.weight`), so weights saved from
 * one load into the other.
 *
 * @example
 * const model = buildCnn();
 * model.forward(zeros([8, 784])).shape;                       // [8, 10]: flat images, as batches come
 * buildCnn({ channels: [8, 16], hidden: 32 });                // a smaller one
 */
export function buildCnn(options: CnnOptions = {}): Sequential {
  const { dtype, generator, ...fields } = options;
  const spec = resolveModelSpec({ type: 'cnn', ...fields }, 'buildCnn') as CnnSpec;
  return cnnFromSpec(spec, { ...(dtype ? { dtype } : {}), ...(generator ? { generator } : {}) });
}

function cnnFromSpec(spec: CnnSpec, options: PresetOptions): Sequential {
  const activation = ACTIVATIONS[spec.activation];
  const layers: Module[] = [new Unflatten(1, spec.inputShape)];
  let inChannels = spec.inputShape[0];
  for (const out of spec.channels) {
    layers.push(
      new Conv2d(inChannels, out, spec.kernelSize, { padding: (spec.kernelSize - 1) / 2, ...options }),
      activation(),
      new MaxPool2d(2),
    );
    inChannels = out;
  }
  const [c, h, w] = cnnFeatureShape(spec);
  layers.push(new Flatten());
  let features = c * h * w;
  for (const size of spec.hidden) {
    layers.push(new Linear(features, size, options), activation());
    features = size;
  }
  layers.push(new Linear(features, spec.classes, options));
  return new Sequential(...layers);
}

/**
 * Builds the model a spec describes (after `resolveModelSpec`, so a partial spec gets the defaults).
 *
 * @example
 * modelFromSpec({ type: 'mlp', hidden: [128] });              // MLP 784-128-10
 * modelFromSpec({ type: 'cnn' }, { dtype: 'float64' });        // the default CNN in float64
 */
export function modelFromSpec(spec: ModelSpecInput | ModelSpec, options: PresetOptions = {}): Sequential {
  const full = resolveModelSpec(spec);
  if (full.type === 'cnn') return cnnFromSpec(full, options);
  return buildMlp([full.inputSize, ...full.hidden, full.classes], full.activation, options);
}

// ---- recognising a preset from its weights ----

/**
 * The spec of a preset whose weights are `state`, read from the parameter names and shapes (for
 * checkpoints that do not record their spec), or null when `state` is not a preset's. Activations
 * have no weights, so `activation` is taken from the hints (default relu), as is a CNN's image size
 * when the weights allow several (default 28x28, else the square that fits).
 */
export function inferModelSpec(
  state: StateDict,
  hints: { activation?: ActivationName; imageSize?: [number, number] } = {},
): ModelSpec | null {
  const activation = hints.activation ?? 'relu';
  const layers = new Map<number, { weight?: Tensor; bias?: Tensor }>();
  for (const [key, value] of Object.entries(state)) {
    const match = /^(\d+)\.(weight|bias)$/.exec(key);
    if (!match) return null;
    const index = Number(match[1]);
    const entry = layers.get(index) ?? {};
    entry[match[2] as 'weight' | 'bias'] = value;
    layers.set(index, entry);
  }
  const weights = [...layers.entries()].sort(([a], [b]) => a - b).map(([, e]) => e.weight);
  if (weights.length === 0 || weights.some((w) => w === undefined)) return null;
  const shapes = weights.map((w) => w!.shape);
  const convs = shapes.filter((s) => s.length === 4);
  const linears = shapes.filter((s) => s.length === 2);
  if (convs.length + linears.length !== shapes.length || linears.length === 0) return null;
  if (shapes.findIndex((s) => s.length === 2) < convs.length) return null; // convs must come first
  const classes = linears.at(-1)![0]!;
  const hidden = linears.slice(0, -1).map((s) => s[0]!);
  if (convs.length === 0) return { type: 'mlp', inputSize: linears[0]![1]!, hidden, classes, activation };
  const channels = convs.map((s) => s[0]!);
  const kernelSize = convs[0]![2]!;
  const inChannels = convs[0]![1]!;
  const flat = linears[0]![1]!;
  const blocks = convs.length;
  const fits = (h: number, w: number) =>
    channels.at(-1)! * Math.floor(h / 2 ** blocks) * Math.floor(w / 2 ** blocks) === flat;
  let [h, w] = hints.imageSize ?? [28, 28];
  if (!fits(h, w)) {
    const side = Math.round(Math.sqrt(flat / channels.at(-1)!));
    if (side < 1 || channels.at(-1)! * side * side !== flat) return null;
    h = w = side * 2 ** blocks;
  }
  return { type: 'cnn', inputShape: [inChannels, h, w], channels, hidden, classes, kernelSize, activation };
}
