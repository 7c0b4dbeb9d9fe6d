/**
 * Containers of numbered submodules. Children are stored as the fields '0', '1', ..., so they get
 * PyTorch's names in `namedParameters()` (`0.weight`, `2.bias`) and can be read as `seq[0]`.
 */
import { recycle } from '../../backend/pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { forwardRetainsNoActivations, Module, retainsNoActivations } from '../module.js';

/** A list of modules whose parameters are registered (PyTorch's `nn.ModuleList`); it has no forward. */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    let n = 0;
    while (n in this) n++;
    return n;
  }

  /** The module at `index`; negative indices count from the end. */
  at(index: number): M {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n)
      throw new RangeError(
        `${this.constructor.name}.at: index ${index} is out of range for ${n} modules (expected ${-n}..${n - 1})`,
      );
    return this[index < 0 ? index + n : index]!;
  }

  append(module: M): this {
    if (!(module instanceof Module))
      throw new TypeError(`${this.constructor.name}.append: expected a Module, got ${String(module)}`);
    this[this.length] = module;
    return this;
  }

  *[Symbol.iterator](): IterableIterator<M> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i]!;
  }
}

/**
 * Chains modules: each one's output is the next one's input.
 *
 * @example
 * const model = new Sequential(new Linear(8, 9), new ReLU(), new Linear(9, 4));
 * model.namedParameters().map(([name]) => name); // ['0.weight', '0.bias', '2.weight', '2.bias']
 * model.at(-1); // the last Linear
 */
export class Sequential extends ModuleList {
  constructor(...modules: Module[]) {
    super(modules);
  }

  /**
   * Runs the children in order. Memory: an activation passed between two children whose forwards keep
   * no reference to it (built-in layers, see retainsNoActivations) can only be reached from here and
   * from the autograd graph. Without a graph it is dead when this returns, and its buffer goes straight
   * back to the pool; with one it is marked, and backward recycles it once the graph is consumed
   * (src/autograd/graph.ts). The next batch's forward then reuses those buffers instead of fresh
   * memory. Buffers shared with the input or the output (views: Flatten, Identity) are never touched.
   */
  override forward(x: Tensor): Tensor {
    const children = [...this];
    const inner: Tensor[] = [];
    let out = x;
    children.forEach((m, i) => {
      if (i > 0 && forwardRetainsNoActivations(children[i - 1]!) && forwardRetainsNoActivations(m)) {
        inner.push(out);
      }
      out = m.forward(out);
    });
    if (inner.length > 0) recycleActivations(x, inner, out);
    return out;
  }
}

retainsNoActivations(Sequential);

function recycleActivations(input: Tensor, inner: readonly Tensor[], output: Tensor): void {
  const shared = new Set<ArrayBuffer>([
    input._data.buffer as ArrayBuffer,
    output._data.buffer as ArrayBuffer,
  ]);
  // A chain of such children records a graph through to its output, or none at all.
  const graph = output.requiresGrad;
  for (const t of inner) {
    const buffer = t._data.buffer as ArrayBuffer;
    if (shared.has(buffer)) continue;
    if (graph) {
      t._ephemeral = true;
    } else {
      shared.add(buffer); // recycled once
      recycle(t._data);
    }
  }
}
