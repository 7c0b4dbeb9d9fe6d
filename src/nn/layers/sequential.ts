/**
 * Containers of numbered submodules. Children are stored as the fields '0', '1', ..., so they get
 * PyTorch's names in `namedParameters()` (`0.weight`, `2.bias`) and can be read as `seq[0]`.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

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

  override forward(x: Tensor): Tensor {
    let out = x;
    for (const m of this) out = m.forward(out);
    return out;
  }
}
