/**
 * Weight initialisers (PyTorch's `torch.nn.init`). Each fills a tensor in place, under `noGrad` (so
 * it works on parameters), draws from `options.generator` (the global one by default, see
 * `manualSeed`), and returns the tensor.
 *
 * @example
 * const g = new Generator(42);
 * init.kaimingNormal_(layer.weight, { mode: 'fanOut', nonlinearity: 'relu', generator: g });
 * init.zeros_(layer.bias!);
 */
import { noGrad } from '../autograd/grad-mode.js';
import { full, randn, uniform } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export interface InitOptions {
  /** The generator to draw from; the global one by default. */
  generator?: Generator;
}

/** Nonlinearities that `calculateGain` knows (PyTorch's names in camelCase). */
export type Nonlinearity =
  | 'linear'
  | 'identity'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear',
  'identity',
  'conv1d',
  'conv2d',
  'conv3d',
  'convTranspose1d',
  'convTranspose2d',
  'convTranspose3d',
  'sigmoid',
  'tanh',
  'relu',
  'leakyRelu',
  'selu',
];

function fill(t: Tensor, values: Tensor, what: string): Tensor {
  if (!isFloat(t.dtype)) throw new TypeError(`${what}: needs a floating tensor, got ${t.dtype}`);
  return noGrad(() => t.copy_(values));
}

/** Uniform values in [a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, options: InitOptions = {}): Tensor {
  return fill(t, uniform(t.shape, a, b, { dtype: t.dtype, generator: options.generator }), 'uniform_');
}

/** Normal values N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  const z = randn(t.shape, { dtype: 'float64', generator: options.generator });
  return fill(t, z.mul(std).add(mean), 'normal_');
}

export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, full([], value, { dtype: t.dtype }), 'constant_');
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * The recommended gain for a nonlinearity: 1 for linear, convolutions and sigmoid, 5/3 for tanh, √2
 * for ReLU, √(2/(1 + slope²)) for leaky ReLU (`param` is the slope, 0.01 by default) and 3/4 for
 * SELU. It keeps the activations' variance roughly constant through the layers.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'convTranspose1d':
    case 'convTranspose2d':
    case 'convTranspose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope))
        throw new RangeError(`calculateGain: negative slope ${slope} is not a finite number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(
        `calculateGain: unknown nonlinearity '${String(nonlinearity)}'; expected one of ${NONLINEARITIES.join(', ')}`,
      );
  }
}

/**
 * fanIn and fanOut of a weight of shape [out, in, ...kernel]: in·Πkernel and out·Πkernel. Needs at
 * least 2 dimensions.
 */
export function fanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2)
    throw new RangeError(
      `fanInAndFanOut: fan in and fan out need a tensor with at least 2 dimensions, got shape ${formatShape(t.shape)}`,
    );
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

export interface XavierOptions extends InitOptions {
  /** Scales the standard deviation (see `calculateGain`); default 1. */
  gain?: number;
}

/**
 * Xavier/Glorot uniform (Glorot & Bengio, 2010): U(−a, a) with a = gain·√(6/(fanIn + fanOut)).
 */
export function xavierUniform_(t: Tensor, options: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t);
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(t, -a, a, options);
}

/** Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, options: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t);
  return normal_(t, 0, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), options);
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of the leaky ReLU after this layer (only with nonlinearity 'leakyRelu'); default 0. */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn', default) or of the backward pass ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu', which with a = 0 is ReLU's gain √2. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions, what: string): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = options;
  if (mode !== 'fanIn' && mode !== 'fanOut')
    throw new RangeError(`${what}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const fans = fanInAndFanOut(t);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  if (fan === 0) throw new RangeError(`${what}: cannot initialise a tensor with a zero ${mode}`);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * Kaiming/He uniform (He et al., 2015, "Delving Deep into Rectifiers"): U(−b, b) with
 * b = gain·√(3/fan). PyTorch's Linear default is this with a = √5, which gives b = 1/√fanIn.
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options, 'kaimingUniform_');
  return uniform_(t, -bound, bound, options);
}

/** Kaiming/He normal: N(0, std²) with std = gain/√fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options, 'kaimingNormal_'), options);
}
