/**
 * The base class of every layer, loss and model (PyTorch's `nn.Module`).
 *
 * Registration works like PyTorch's `__setattr__`, without hooking assignment: a Module's own
 * enumerable fields are walked in insertion order, and every field holding a `Parameter` is a
 * parameter and every field holding a `Module` is a child. So a subclass just assigns fields:
 *
 * @example
 * class Mlp extends Module {
 *   hidden = new Linear(784, 256);
 *   out = new Linear(256, 10);
 *   forward(x: Tensor): Tensor {
 *     return this.out.forward(this.hidden.forward(x).relu());
 *   }
 * }
 * new Mlp().namedParameters().map(([name]) => name); // ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
 *
 * Walking fields on demand (rather than registering at assignment) means a replaced field is simply
 * the new module, and there is no second registry that could disagree with the fields. Buffers (state
 * that is saved but not trained, such as running statistics) are plain tensors, so they are the one
 * thing that needs an explicit `registerBuffer`.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { isFloat, type DType } from '../tensor/dtype.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { registerForwardHook, type ForwardHook, type RemovableHandle } from './hooks.js';
import { convertInPlace, Parameter } from './parameter.js';

/** A saved model state: dotted names (`0.weight`, `encoder.norm.bias`) to tensors. */
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require the keys to match the model's exactly (default true). Shapes must always match. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The classes whose forward keeps no reference to its input or its output (other than in the autograd
 * graph): every built-in layer declares itself here, next to its class. Between two such children a
 * Sequential knows that nothing but itself and the graph can reach the activation it passes on, and
 * recycles its buffer once it is dead (see Sequential.forward). A user's subclass is not covered (it
 * may keep what it likes), nor is an instance whose forward was wrapped (a forward hook, summary()).
 */
const RETAINS_NO_ACTIVATIONS = new WeakSet<object>();

/** Declares that these classes' forward keeps no reference to its input or output (built-in layers). */
export function retainsNoActivations(...classes: (abstract new (...args: never[]) => Module)[]): void {
  for (const c of classes) RETAINS_NO_ACTIVATIONS.add(c);
}

/** Whether `module` runs a declared class's own, unwrapped forward (see retainsNoActivations). */
export function forwardRetainsNoActivations(module: Module): boolean {
  return (
    RETAINS_NO_ACTIVATIONS.has(module.constructor) && !Object.prototype.hasOwnProperty.call(module, 'forward')
  );
}

export class Module {
  /** Whether the module is in training mode (Dropout drops, BatchNorm uses batch statistics). */
  training = true;
  /** Names of the fields registered as buffers, and which of them are left out of the state dict. */
  declare private readonly _bufferNames: Set<string>;
  declare private readonly _nonPersistent: Set<string>;

  constructor() {
    // Non-enumerable, so that they never show up in the field walk or in util.inspect.
    Object.defineProperty(this, '_bufferNames', { value: new Set<string>(), enumerable: false });
    Object.defineProperty(this, '_nonPersistent', { value: new Set<string>(), enumerable: false });
  }

  /** The computation. Subclasses override it; a plain Module (a container) has none, as in PyTorch. */
  forward(..._inputs: Tensor[]): Tensor {
    throw new Error(
      `${this.constructor.name}: this module has no forward(); override forward in the subclass`,
    );
  }

  /**
   * Runs `hook(module, inputs, output)` after every forward of this module, however it is called
   * (directly, by a Sequential, by a parent's forward); `remove()` on the result unregisters it. See
   * hooks.ts for the design and `featureMaps` for recording every layer's output.
   */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    return registerForwardHook(this, hook);
  }

  // ---- registration ----

  /**
   * Registers `tensor` (or null: a declared but absent buffer) as a buffer under `name` and sets the
   * field. Buffers are saved in the state dict (unless `persistent` is false) and follow `to(dtype)`,
   * but are not returned by `parameters()`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    if (name === '' || name.includes('.'))
      throw new RangeError(`registerBuffer: the name must be non-empty and contain no '.', got '${name}'`);
    if (tensor instanceof Parameter)
      throw new TypeError(
        `registerBuffer: '${name}' is a Parameter; assign it as a field to register it as one`,
      );
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this._bufferNames.add(name);
    if (options.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
  }

  /** The own fields in insertion order; an array of modules is refused, since it would be invisible. */
  private ownFields(): [string, unknown][] {
    const fields = Object.entries(this);
    for (const [key, value] of fields) {
      if (Array.isArray(value) && value.some((v) => v instanceof Module || v instanceof Parameter)) {
        throw new TypeError(
          `${this.constructor.name}.${key} is an array of modules or parameters, whose parameters would not be ` +
            'registered; hold them in a ModuleList or Sequential instead',
        );
      }
    }
    return fields;
  }

  // ---- traversal ----

  /** The direct submodules with their field names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [key, value] of this.ownFields()) {
      if (value instanceof Module && !seen.has(value)) {
        seen.add(value);
        out.push([key, value]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule, depth first (pre-order), each once; this one is named ''. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const visit = (m: Module, name: string, seen: Set<Module>) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [key, child] of m.namedChildren()) visit(child, name ? `${name}.${key}` : key, seen);
    };
    visit(this, prefix, new Set());
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with PyTorch's dotted names (`0.weight`, `layers.2.bias`), in registration order; a
   * parameter shared by two modules is listed once, under its first name.
   */
  namedParameters(options: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    return this.namedMembers(options, (m) =>
      m.ownFields().filter((f): f is [string, Parameter] => f[1] instanceof Parameter),
    );
  }

  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  namedBuffers(options: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    return this.namedMembers(options, (m) => m.ownBuffers());
  }

  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, b]) => b);
  }

  private ownBuffers(): [string, Tensor][] {
    const self = this as unknown as Record<string, unknown>;
    const out: [string, Tensor][] = [];
    for (const name of this._bufferNames) {
      const value = self[name];
      if (value instanceof Tensor) out.push([name, value]);
    }
    return out;
  }

  private namedMembers<T>(
    options: { prefix?: string; recurse?: boolean },
    own: (m: Module) => [string, T][],
  ): [string, T][] {
    const { prefix = '', recurse = true } = options;
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [moduleName, m] of modules) {
      for (const [key, value] of own(m)) {
        if (seen.has(value)) continue;
        seen.add(value);
        out.push([moduleName ? `${moduleName}.${key}` : key, value]);
      }
    }
    return out;
  }

  /** Calls `fn` on every submodule (children first) and then on this one, e.g. for custom init. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ----

  /** Sets training mode on this module and every submodule; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the parameters' gradients: sets them to null (the PyTorch 2 default, which saves memory
   * and makes "no gradient yet" visible), or fills them with zeros when `setToNone` is false.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const { setToNone = true } = options;
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else p.grad.zero_();
    }
  }

  // ---- element types ----

  /** Converts every floating parameter and buffer (and gradient) to `dtype` in place; returns this. */
  to(dtype: DType): this {
    if (!isFloat(dtype))
      throw new TypeError(`${this.constructor.name}.to: only float32 and float64 are allowed, got ${dtype}`);
    for (const p of this.parameters()) convertInPlace(p, dtype);
    for (const b of this.buffers()) if (isFloat(b.dtype)) convertInPlace(b, dtype);
    return this;
  }

  double(): this {
    return this.to('float64');
  }

  float(): this {
    return this.to('float32');
  }

  // ---- saving and loading ----

  /** Parameters and persistent buffers by dotted name, as detached copies (later training does not change them). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, t] of this.stateEntries()) out[name] = t.detach().clone();
    return out;
  }

  private stateEntries(): [string, Tensor][] {
    const entries: [string, Tensor][] = [...this.namedParameters()];
    for (const [moduleName, m] of this.namedModules()) {
      for (const [key, b] of m.ownBuffers()) {
        if (!m._nonPersistent.has(key)) entries.push([moduleName ? `${moduleName}.${key}` : key, b]);
      }
    }
    return entries;
  }

  /**
   * Copies `state` into the parameters and buffers, converting the element type where needed. Every
   * problem is checked before anything is copied, and reported together: missing and unexpected keys
   * (unless `strict` is false) and shape mismatches (always). Returns the keys that did not match.
   */
  loadStateDict(state: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const { strict = true } = options;
    const own = new Map(this.stateEntries());
    const missingKeys = [...own.keys()].filter((k) => !Object.hasOwn(state, k));
    const unexpectedKeys = Object.keys(state).filter((k) => !own.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    for (const [key, target] of own) {
      if (!Object.hasOwn(state, key)) continue;
      const source = state[key];
      if (!(source instanceof Tensor)) {
        problems.push(`${key} is not a Tensor (got ${typeof source})`);
      } else if (!sameShape(source.shape, target.shape)) {
        problems.push(
          `shape mismatch for ${key}: the state dict has ${formatShape(source.shape)}, the model has ${formatShape(target.shape)}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `loadStateDict: cannot load the state dict into ${this.constructor.name}:\n  ${problems.join('\n  ')}`,
      );
    }
    noGrad(() => {
      for (const [key, target] of own) if (Object.hasOwn(state, key)) target.copy_(state[key]!);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The module's own settings for `toString`, e.g. `inFeatures=784, outFeatures=256, bias=true`. */
  extraRepr(): string {
    return '';
  }

  /** The module tree, formatted like PyTorch's `print(model)`. */
  toString(): string {
    const lines: string[] = [];
    const extra = this.extraRepr();
    if (extra) lines.push(...extra.split('\n'));
    for (const [key, child] of this.namedChildren()) {
      lines.push(`(${key}): ${indent(child.toString())}`);
    }
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}()`;
    if (lines.length === 1 && this.namedChildren().length === 0) return `${name}(${extra})`;
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Indents every line after the first by two spaces (the first follows a `(name): ` prefix). */
function indent(text: string): string {
  return text.split('\n').join('\n  ');
}
