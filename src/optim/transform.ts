/**
 * The core of the optimizers, after optax: a `GradientTransformation` is a pure pair
 * `(init, update)` with typed per-parameter state. `update` maps gradient-like tensors to new
 * tensors and never mutates anything; transforms compose with `chain`, and the composed result is
 * applied to the parameters by `applyUpdates`, the one function that ever writes parameters.
 *
 * Sign convention, in this one place: every transform before `scaleByLearningRate` works on
 * gradient-like quantities (pointing uphill); `scaleByLearningRate` multiplies by −lr and turns them
 * into updates that `applyUpdates` adds: θ ← θ + u. `negate` flips the gradient for `maximize`.
 *
 * Hyperparameters are read at every step from a `hyper` record (the optimizer passes the parameter
 * group itself), so that learning-rate schedulers that write `group.lr`, `group.momentum` or
 * `group.betas[0]` take effect on the next step. A transform option is either a fixed value or a
 * function of that record.
 *
 * @example
 * const tx = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3));
 * let states = tx.init(params, {});
 * // after backward():
 * const { updates, states: next } = tx.update(params.map((p) => p.grad!), states, params, {});
 * applyUpdates(params, updates);
 * states = next;
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/** The record a transform reads its hyperparameters from at each step (the parameter group). */
export type Hyper = Readonly<Record<string, unknown>>;

/** A hyperparameter: a fixed value, or read from the hyperparameter record at every step. */
export type Hyperparam<T, H = Hyper> = T | ((hyper: H) => T);

/** The result of one `update`: the transformed tensors and each parameter's new state. */
export interface TransformResult<S> {
  updates: Tensor[];
  states: S[];
}

/**
 * A pure update rule. `init` gives each parameter's initial state (one entry per parameter, in
 * order); `update` maps `updates` (the gradients, for the first transform of a chain) to new
 * updates and returns the new states, leaving its inputs untouched.
 */
export interface GradientTransformation<S = unknown, H = Hyper> {
  init(params: readonly Tensor[], hyper: H): S[];
  update(
    updates: readonly Tensor[],
    states: readonly S[],
    params: readonly Tensor[],
    hyper: H,
  ): TransformResult<S>;
}

/** The state of a transform that keeps none. */
export type EmptyState = Record<string, never>;

/** Reads a hyperparameter's value for this step. */
export function resolve<T, H>(value: Hyperparam<T, H>, hyper: H): T {
  return typeof value === 'function' ? (value as (hyper: H) => T)(hyper) : value;
}

/** A stateless transform from a per-parameter map (u, θ) ↦ u'. */
export function stateless<H = Hyper>(
  map: (update: Tensor, param: Tensor, hyper: H) => Tensor,
): GradientTransformation<EmptyState, H> {
  return {
    init: (params) => params.map(() => ({})),
    update: (updates, states, params, hyper) => ({
      updates: updates.map((u, i) => map(u, params[i]!, hyper)),
      states: [...states],
    }),
  };
}

/**
 * Runs transforms one after the other; each parameter's state is the tuple of the transforms'
 * states for it.
 */
export function chain<H = Hyper>(
  ...transforms: GradientTransformation<any, H>[] // eslint-disable-line @typescript-eslint/no-explicit-any
): GradientTransformation<unknown[], H> {
  return {
    init: (params, hyper) => {
      const perTransform = transforms.map((t) => t.init(params, hyper));
      return params.map((_, i) => perTransform.map((states) => states[i]));
    },
    update: (updates, states, params, hyper) => {
      let current: readonly Tensor[] = updates;
      const next = states.map(() => new Array<unknown>(transforms.length));
      transforms.forEach((t, k) => {
        const result = t.update(
          current,
          states.map((s) => s[k]),
          params,
          hyper,
        );
        current = result.updates;
        result.states.forEach((s, i) => (next[i]![k] = s));
      });
      return { updates: [...current], states: next };
    },
  };
}

/** Passes the updates through unchanged. */
export function identity<H = Hyper>(): GradientTransformation<EmptyState, H> {
  return stateless((u) => u);
}

/** u ↦ factor·u. */
export function scale<H = Hyper>(factor: Hyperparam<number, H>): GradientTransformation<EmptyState, H> {
  return stateless((u, _p, hyper) => {
    const f = resolve(factor, hyper);
    return f === 1 ? u : u.mul(f);
  });
}

/**
 * u ↦ −lr·u: the step along the descent direction. This is the only place where the sign of
 * descent appears. Optimizers whose step sizes already include the learning rate (Rprop, ASGD)
 * end with `scaleByLearningRate(1)`.
 */
export function scaleByLearningRate<H = Hyper>(
  lr: Hyperparam<number, H>,
): GradientTransformation<EmptyState, H> {
  return stateless((u, _p, hyper) => u.mul(-resolve(lr, hyper)));
}

/**
 * u ↦ −u, when `when` holds (by default always): turns a gradient into the gradient of −f, which is
 * how `maximize` ascends f.
 */
export function negate<H = Hyper>(
  when: Hyperparam<boolean, H> = true,
): GradientTransformation<EmptyState, H> {
  return stateless((u, _p, hyper) => (resolve(when, hyper) ? u.neg() : u));
}

/**
 * The one function that writes parameters: θ ← θ + u (or θ ← u with `'replace'`), under noGrad so
 * that leaves requiring grad can be changed, in their own dtype.
 */
export function applyUpdates(
  params: readonly Tensor[],
  updates: readonly Tensor[],
  how: 'add' | 'replace' = 'add',
): void {
  if (params.length !== updates.length) {
    throw new RangeError(`applyUpdates: ${params.length} parameters but ${updates.length} updates`);
  }
  noGrad(() => {
    params.forEach((p, i) => {
      const u = updates[i]!;
      if (u.numel !== p.numel) {
        throw new RangeError(
          `applyUpdates: the update for parameter ${i} has shape ${formatShape(u.shape)} but the parameter has shape ${formatShape(p.shape)}`,
        );
      }
      if (how === 'add') p.add_(u);
      else p.copy_(u);
    });
  });
}
