/**
 * A model summary in the spirit of Keras' `model.summary()` and torchsummary: one row per layer with
 * its output shape (from a forward pass on zeros) and its parameter count, split by parameter name
 * ("81 (72 weights + 9 biases)"), then the totals.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { zeros } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';

export interface SummaryRow {
  /** Dotted name, as in namedModules() (e.g. '0', 'encoder.fc'). */
  name: string;
  /** The class name, e.g. 'Linear'. */
  type: string;
  /** Shape of the layer's output in the summary's forward pass; null if the layer was not called. */
  outputShape: number[] | null;
  /** Parameters the layer itself owns (its submodules have their own rows). */
  params: number;
  /** The same count split by parameter name, e.g. { weight: 72, bias: 9 }. */
  paramsByName: Record<string, number>;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The table. */
  text: string;
  toString(): string;
}

export interface SummaryOptions {
  /** Element type of the zeros fed to the model: the first parameter's by default, float32 without any; int32 for embeddings. */
  dtype?: DType;
}

/** Total and trainable (requiresGrad) parameter counts of a module; shared parameters count once. */
export function countParameters(model: Module): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const p of model.parameters()) {
    total += p.numel;
    if (p.requiresGrad) trainable += p.numel;
  }
  return { total, trainable };
}

/**
 * Summarises `model` for an input of shape `inputShape` (including the batch dimension, e.g.
 * [1, 784]). The forward pass runs under noGrad; the layers' outputs are recorded by wrapping each
 * module's forward for the duration of the call.
 *
 * @example
 * console.log(summary(new Sequential(new Linear(8, 9), new ReLU(), new Linear(9, 4)), [1, 8]).text);
 * // Layer (type)    Output shape    Param #
 * // 0 (Linear)      [1, 9]          81 (72 weights + 9 biases)
 * // ...
 */
export function summary(
  model: Module,
  inputShape: readonly number[],
  options: SummaryOptions = {},
): ModelSummary {
  const named = model.namedModules();
  const outputs = new Map<Module, number[]>();
  const restore: (() => void)[] = [];
  for (const [, m] of named) {
    const own = Object.getOwnPropertyDescriptor(m, 'forward');
    const original = m.forward;
    Object.defineProperty(m, 'forward', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: (...inputs: Tensor[]) => {
        const out = original.apply(m, inputs);
        if (out instanceof Tensor) outputs.set(m, [...out.shape]);
        return out;
      },
    });
    restore.push(() => {
      if (own) Object.defineProperty(m, 'forward', own);
      else delete (m as unknown as Record<string, unknown>).forward;
    });
  }
  const dtype = options.dtype ?? model.parameters()[0]?.dtype ?? 'float32';
  try {
    noGrad(() => model.forward(zeros(inputShape, { dtype })));
  } finally {
    for (const undo of restore) undo();
  }

  // A container's own row would repeat its children's parameters, so the root is listed only when it is a single layer.
  const listed = named.length > 1 ? named.slice(1) : named;
  const rows: SummaryRow[] = listed.map(([name, m]) => {
    const paramsByName: Record<string, number> = {};
    let params = 0;
    for (const [key, p] of m.namedParameters({ recurse: false })) {
      paramsByName[key] = (paramsByName[key] ?? 0) + p.numel;
      params += p.numel;
    }
    return {
      name: name || '(model)',
      type: m.constructor.name,
      outputShape: outputs.get(m) ?? null,
      params,
      paramsByName,
    };
  });
  const { total, trainable } = countParameters(model);
  const text = formatTable(rows, total, trainable);
  return {
    rows,
    totalParams: total,
    trainableParams: trainable,
    nonTrainableParams: total - trainable,
    text,
    toString: () => text,
    [Symbol.for('nodejs.util.inspect.custom')]: () => text,
  } as ModelSummary;
}

const PLURAL: Record<string, string> = { weight: 'weights', bias: 'biases' };

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function formatParams(row: SummaryRow): string {
  const parts = Object.entries(row.paramsByName);
  if (parts.length <= 1) return formatCount(row.params);
  const split = parts.map(([name, n]) => `${formatCount(n)} ${PLURAL[name] ?? name}`).join(' + ');
  return `${formatCount(row.params)} (${split})`;
}

function formatTable(rows: SummaryRow[], total: number, trainable: number): string {
  const header = ['Layer (type)', 'Output shape', 'Param #'];
  const cells = rows.map((r) => [
    `${r.name} (${r.type})`,
    r.outputShape ? formatShape(r.outputShape) : '-',
    formatParams(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((s, i) => s.padEnd(widths[i]!))
      .join('   ')
      .trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  return [
    rule('='),
    line(header),
    rule('='),
    ...cells.map(line),
    rule('='),
    `Total params: ${formatCount(total)}`,
    `Trainable params: ${formatCount(trainable)}`,
    `Non-trainable params: ${formatCount(total - trainable)}`,
    rule('='),
  ].join('\n');
}
