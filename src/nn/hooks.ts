/**
 * Forward hooks and feature maps: seeing what every layer of a model computes.
 *
 * Design. PyTorch runs hooks from `Module.__call__`, the wrapper every call goes through. Here users
 * and containers call `forward` directly (`model.forward(x)`, Sequential's loop, a custom module's
 * `this.encoder.forward(x)`), so there is no such wrapper. Instead, the first hook registered on a
 * module installs an own, non-enumerable `forward` on that instance, which calls the forward it
 * shadows (the class's) and then the hooks; removing the last hook puts the instance back as it was.
 * Living on the instance, the wrapper is reached by every call path, containers and custom modules
 * alike, while modules without hooks pay nothing. It stays out of the field walk that finds
 * parameters and children (it is neither enumerable nor a Module), and `summary()` wraps forwards
 * the same way, so the two nest.
 *
 * `featureMaps` builds on the hooks: it hooks every leaf module for one forward pass and records each
 * output in call order, so it works for any model, not only a Sequential.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';

/**
 * Called after `module.forward(...inputs)` returned `output`. Returning a Tensor replaces the output
 * (for the caller and the later hooks); returning nothing keeps it. PyTorch's `register_forward_hook`.
 */
export type ForwardHook<M extends Module = Module> = (
  module: M,
  inputs: readonly Tensor[],
  output: Tensor,
) => Tensor | void;

/** What registering a hook returns; `remove()` unregisters it (a second call does nothing). */
export interface RemovableHandle {
  remove(): void;
}

interface HookState {
  hooks: { hook: ForwardHook<Module> }[];
  /** The wrapper installed as the instance's own `forward`. */
  wrapper: (...inputs: Tensor[]) => Tensor;
  /** The instance's own `forward` descriptor before the wrapper (usually none: the class's forward). */
  previous: PropertyDescriptor | undefined;
}

const STATES = new WeakMap<Module, HookState>();

/**
 * Registers `hook` to run after every forward of `module` (however the forward is reached), and
 * returns a handle whose `remove()` unregisters it. Hooks run in registration order.
 *
 * @example
 * const seen: number[][] = [];
 * const handle = registerForwardHook(model.at(0), (_m, _inputs, out) => void seen.push([...out.shape]));
 * model.forward(x);   // seen: [[N, 32, 28, 28]]
 * handle.remove();
 */
export function registerForwardHook<M extends Module>(module: M, hook: ForwardHook<M>): RemovableHandle {
  if (typeof module?.forward !== 'function') {
    throw new TypeError('registerForwardHook: expected a Module');
  }
  if (typeof hook !== 'function') {
    throw new TypeError(`registerForwardHook: the hook must be a function, got ${typeof hook}`);
  }
  let state = STATES.get(module);
  if (!state) state = install(module);
  const entry = { hook: hook as ForwardHook<Module> };
  state.hooks.push(entry);
  let removed = false;
  return {
    remove: () => {
      if (removed) return;
      removed = true;
      const current = STATES.get(module);
      if (!current) return;
      current.hooks = current.hooks.filter((e) => e !== entry);
      if (current.hooks.length === 0) uninstall(module, current);
    },
  };
}

function install(module: Module): HookState {
  const previous = Object.getOwnPropertyDescriptor(module, 'forward');
  const inner = module.forward;
  const state: HookState = {
    hooks: [],
    previous,
    wrapper: (...inputs: Tensor[]): Tensor => {
      let output = inner.apply(module, inputs);
      // A copy, so that a hook removing itself (or adding another) does not disturb this call.
      for (const { hook } of [...state.hooks]) {
        const replaced = hook(module, inputs, output);
        if (replaced === undefined) continue;
        if (!(replaced instanceof Tensor)) {
          throw new TypeError(
            `forward hook of ${module.constructor.name} returned ${typeof replaced}; return a Tensor to replace the output, or nothing`,
          );
        }
        output = replaced;
      }
      return output;
    },
  };
  Object.defineProperty(module, 'forward', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: state.wrapper,
  });
  STATES.set(module, state);
  return state;
}

function uninstall(module: Module, state: HookState): void {
  STATES.delete(module);
  // Someone (summary()) may have wrapped our wrapper meanwhile; then leave theirs alone: with no hooks
  // left, ours just calls the forward it shadows.
  if (Object.getOwnPropertyDescriptor(module, 'forward')?.value !== state.wrapper) return;
  if (state.previous) Object.defineProperty(module, 'forward', state.previous);
  else delete (module as unknown as Record<string, unknown>).forward;
}

/** The number of forward hooks registered on `module` (0 when none). */
export function forwardHookCount(module: Module): number {
  return STATES.get(module)?.hooks.length ?? 0;
}

// ---- feature maps ----

/** One layer's output in a forward pass. */
export interface FeatureMap {
  /** The module's dotted name, as in `namedModules()`: '0', 'features.3'; '' for the model itself. */
  name: string;
  /** The module's class name, e.g. 'Conv2d'. */
  type: string;
  /** What the module returned (no gradient history). */
  output: Tensor;
}

export interface FeatureMapOptions {
  /**
   * Which modules to record: 'leaves' (default: modules without submodules, i.e. the layers), 'all'
   * (containers too, each recorded when its forward returns, after its children), or a predicate.
   */
  include?: 'leaves' | 'all' | ((name: string, module: Module) => boolean);
}

/** The model's output and the recorded layer outputs of one forward pass. */
export interface RecordedForward {
  output: Tensor;
  maps: FeatureMap[];
}

/**
 * Runs `model` on `inputs` in eval mode without recording gradients, and returns its output together
 * with every selected module's output in call order (a module called twice appears twice). Each
 * module's training flag is restored afterwards, and the hooks removed, even when the forward throws.
 */
export function recordForward(
  model: Module,
  inputs: Tensor | readonly Tensor[],
  options: FeatureMapOptions = {},
): RecordedForward {
  const { include = 'leaves' } = options;
  const select =
    typeof include === 'function'
      ? include
      : include === 'all'
        ? () => true
        : include === 'leaves'
          ? (_name: string, m: Module) => m.namedChildren().length === 0
          : null;
  if (select === null) {
    throw new RangeError(
      `featureMaps: include must be 'leaves', 'all' or a function, got ${JSON.stringify(include)}`,
    );
  }
  const named = model.namedModules();
  const modes = named.map(([, m]) => [m, m.training] as const);
  const maps: FeatureMap[] = [];
  const handles: RemovableHandle[] = [];
  try {
    for (const [name, m] of named) {
      if (!select(name, m)) continue;
      handles.push(
        registerForwardHook(m, (module, _inputs, output) => {
          maps.push({ name, type: module.constructor.name, output });
        }),
      );
    }
    model.eval();
    const args = inputs instanceof Tensor ? [inputs] : [...inputs];
    const output = noGrad(() => model.forward(...args));
    return { output, maps };
  } finally {
    for (const h of handles) h.remove();
    for (const [m, training] of modes) m.training = training;
  }
}

/**
 * Every layer's output for `inputs`: `[{name, type, output}]` in call order, computed in eval mode
 * without gradients (the modes are restored afterwards). Names are the dotted `namedModules()` names,
 * so `model.at(3)` of a Sequential is '3' and a nested layer is 'features.3'.
 *
 * @example
 * const maps = featureMaps(buildCnn(), image.reshape(1, 784));
 * maps.map((m) => `${m.name} ${m.type} [${m.output.shape}]`);
 * // ['0 Unflatten [1,1,28,28]', '1 Conv2d [1,32,28,28]', '2 ReLU [1,32,28,28]', '3 MaxPool2d [1,32,14,14]', ...]
 */
export function featureMaps(
  model: Module,
  inputs: Tensor | readonly Tensor[],
  options: FeatureMapOptions = {},
): FeatureMap[] {
  return recordForward(model, inputs, options).maps;
}
