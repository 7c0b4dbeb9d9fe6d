/**
 * The PyTorch-style optimizer surface over the pure transforms: `paramGroups` with per-group options,
 * `addParamGroup`, `step()`, `zeroGrad()`, `state`, `stateDict()` / `loadStateDict()`. A named
 * optimizer only says which chain of transforms a group runs (`makeTransform`) and which options are
 * valid (`validate`); everything else lives here. The group's options are read at every step, so a
 * scheduler that writes `group.lr` (or `momentum`, `betas[0]`) changes the next step.
 *
 * Memory: the transforms are pure, so every step makes new state tensors and temporaries (Adam: the
 * two moments, its direction and the scaled update, four buffers per parameter). Nothing outside a
 * step can reach the temporaries, and once the new state is in place the old state is dead too,
 * unless a caller has read it through `state`. So `step` hands both back to the buffer pool
 * (src/backend/pool.ts), and the next step's kernels reuse them instead of asking the garbage
 * collector for fresh memory (whose pressure otherwise triggered a full collection every few steps).
 * State a caller has read through `state` is never recycled: it keeps its values, as when it was read.
 */
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { bornInThisPass, recycle, releaseAllExcept, trackAllocations } from '../backend/pool.js';
import { isFloat } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { HasParamGroups, ParamGroup } from './param-group.js';
import { decodeValue, encodeValue, type Encoded } from './state-dict.js';
import { applyUpdates, type GradientTransformation } from './transform.js';
import { checkKnownOptions } from './validate.js';

/** A parameter group as given to a constructor or `addParamGroup`: its tensors and any option overrides. */
export type ParamGroupSpec<O> = { params: Iterable<Tensor> } & Partial<O>;

/** What an optimizer is built over: a tensor or a list of tensors (one group), or several groups. */
export type Params<O> = Tensor | Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** A live parameter group: its tensors and every option, per group. */
export type Group<O> = ParamGroup & O;

/**
 * A serialisable snapshot of an optimizer (JSON-safe): each parameter's state under its integer id,
 * and each group's options with the ids of its parameters, numbered across groups in order, as in
 * PyTorch.
 */
export interface OptimizerStateDict {
  state: Record<number, Encoded>;
  paramGroups: ({ params: number[] } & Record<string, Encoded>)[];
  /** Present in the state dict of a `Lookahead`. */
  lookahead?: Encoded;
}

/** What trainers and schedulers use: an `Optimizer` or a wrapper such as `Lookahead`. */
export interface OptimizerLike extends HasParamGroups {
  step<T>(closure?: () => T): T | undefined;
  zeroGrad(setToNone?: boolean): void;
  stateDict(): OptimizerStateDict;
  loadStateDict(dict: OptimizerStateDict): void;
}

/** Calls `visit` on every tensor in a state value (tensors, arrays and plain objects of them). */
function forEachTensor(value: unknown, visit: (t: Tensor) => void): void {
  if (value instanceof Tensor) visit(value);
  else if (Array.isArray(value)) for (const v of value) forEachTensor(v, visit);
  else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) forEachTensor(v, visit);
  }
}

/**
 * The per-parameter state map. Reading a state out of it (`get`, iteration) tells the optimizer that
 * a caller now holds those tensors, so their buffers are never recycled; the optimizer itself reads
 * through `peek`, which does not.
 */
export class OptimizerStateMap extends Map<Tensor, unknown> {
  /** @internal Set by the owning optimizer: called with each state value handed to a caller. */
  onRead: ((state: unknown) => void) | null = null;

  override get(param: Tensor): unknown {
    const state = super.get(param);
    if (state !== undefined) this.onRead?.(state);
    return state;
  }
  override forEach(
    fn: (state: unknown, param: Tensor, map: Map<Tensor, unknown>) => void,
    thisArg?: unknown,
  ): void {
    for (const [param, state] of this.entries()) fn.call(thisArg, state, param, this);
  }
  override *entries(): MapIterator<[Tensor, unknown]> {
    for (const [param, state] of super.entries()) {
      this.onRead?.(state);
      yield [param, state];
    }
  }
  override *values(): MapIterator<unknown> {
    for (const [, state] of this.entries()) yield state;
  }
  override [Symbol.iterator](): MapIterator<[Tensor, unknown]> {
    return this.entries();
  }
  /** @internal The state, without marking it as read. */
  peek(param: Tensor): unknown {
    return super.get(param);
  }
  /** @internal Every (parameter, state), without marking them as read. */
  peekAll(): IterableIterator<[Tensor, unknown]> {
    return super.entries();
  }
}

/** Options are copied into each group; arrays (betas) too, so that writing one group's never touches another's. */
function copyOptions<T extends object>(options: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out as T;
}

export abstract class Optimizer<O extends object = Record<string, unknown>> implements OptimizerLike {
  /** The optimizer's name, used in error messages. */
  readonly name: string;
  /** The constructor's options over the optimizer's defaults; a group's own options override them. */
  readonly defaults: Readonly<O>;
  readonly paramGroups: Group<O>[] = [];
  /**
   * Each parameter's state, made at its first step (the tuple of its transforms' states). Each step
   * replaces it; tensors read from here keep their values (they are never recycled).
   */
  readonly state = new OptimizerStateMap();
  /**
   * The buffers of state tensors this optimizer's steps made and no caller has read: when a step
   * replaces one, its buffer goes back to the pool.
   */
  private readonly ownedState = new Set<ArrayBuffer>();
  private readonly transforms = new WeakMap<ParamGroup, GradientTransformation<unknown, Group<O>>>();

  /**
   * @param name the optimizer's name for error messages
   * @param params the tensors to optimize, or a list of groups `{params, ...overrides}`
   * @param options the user's options (unknown names are rejected)
   * @param defaults every option with its default value
   */
  constructor(name: string, params: Params<O>, options: Partial<O>, defaults: O) {
    this.name = name;
    this.state.onRead = (state) =>
      forEachTensor(state, (t) => this.ownedState.delete(t._data.buffer as ArrayBuffer));
    checkKnownOptions(name, options as Record<string, unknown>, Object.keys(defaults));
    this.defaults = copyOptions({ ...defaults, ...copyOptions(options) });
    this.validate(this.defaults as Group<O>);
    const list = params instanceof Tensor ? [params] : [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
    if (list.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) {
      this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupSpec<O>);
    } else if (
      list.every((p) => !(p instanceof Tensor) && typeof p === 'object' && p !== null && 'params' in p)
    ) {
      for (const spec of list as ParamGroupSpec<O>[]) this.addParamGroup(spec);
    } else {
      throw new TypeError(
        `${name}: params must be a list of tensors or a list of groups {params, ...options}`,
      );
    }
  }

  /** The chain of transforms one group runs; built once per group, its hyperparameters read per step. */
  protected abstract makeTransform(group: Group<O>): GradientTransformation<unknown, Group<O>>;

  /** Throws a clear error for an invalid option value (the group holds every option). */
  protected abstract validate(group: Group<O>): void;

  /** Adds a group of parameters; options it does not give come from `defaults`. */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    if (typeof spec !== 'object' || spec === null || !('params' in spec)) {
      throw new TypeError(`${this.name}: a parameter group must be an object {params, ...options}`);
    }
    const { params: given, ...overrides } = spec as { params: Iterable<Tensor> } & Record<string, unknown>;
    const params = given instanceof Tensor ? [given] : [...given];
    const where = `${this.name}: parameter group ${this.paramGroups.length}`;
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: params[${i}] is not a Tensor`);
      if (!p.isLeaf)
        throw new TypeError(`${where}: params[${i}] is not a leaf tensor and cannot be optimized`);
      if (!isFloat(p.dtype))
        throw new TypeError(`${where}: params[${i}] is ${p.dtype}; only float tensors can be optimized`);
    });
    if (new Set(params).size !== params.length) throw new RangeError(`${where} lists a parameter twice`);
    if (this.paramGroups.some((g) => g.params.some((p) => params.includes(p)))) {
      throw new RangeError(`${where}: some parameters appear in more than one parameter group`);
    }
    checkKnownOptions(this.name, overrides, [...Object.keys(this.defaults), 'initialLr']);
    const group = { params, ...copyOptions(this.defaults), ...copyOptions(overrides) } as Group<O>;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /**
   * One optimization step over every parameter that has a gradient; a parameter whose grad is null
   * is skipped and its state does not advance. `closure`, if given, is called first with gradients
   * recorded (it should zero the grads, compute the loss and call backward) and its result returned.
   */
  step<T>(closure?: () => T): T | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      this.paramGroups.forEach((group, g) => this.stepGroup(group, g));
    });
    return loss;
  }

  private stepGroup(group: Group<O>, index: number): void {
    const params = group.params.filter((p) => p.grad !== null);
    if (params.length === 0) return;
    const grads = params.map((p) => {
      const grad = p.grad!;
      if (grad.numel !== p.numel || grad.shape.some((d, k) => d !== p.shape[k])) {
        throw new RangeError(
          `${this.name}.step: a parameter of shape ${formatShape(p.shape)} in group ${index} has a gradient of shape ${formatShape(grad.shape)}`,
        );
      }
      if (grad.dtype !== p.dtype) {
        throw new TypeError(
          `${this.name}.step: a ${p.dtype} parameter in group ${index} has a ${grad.dtype} gradient`,
        );
      }
      return grad;
    });
    const transform = this.transformFor(group);
    const fresh = params.filter((p) => !this.state.has(p));
    if (fresh.length > 0) transform.init(fresh, group).forEach((s, i) => this.state.set(fresh[i]!, s));
    const states = params.map((p) => this.state.peek(p));
    trackAllocations(() => {
      const { updates, states: next } = transform.update(grads, states, params, group);
      params.forEach((p, i) => this.state.set(p, next[i]));
      applyUpdates(params, updates);
      this.recycleAfterStep(states, next);
    });
  }

  /**
   * After a step has been applied: the buffers the step made that its new state does not hold are
   * temporaries (the updates included) and go back to the pool; the old state's buffers that this
   * optimizer made and no caller has read follow them unless the new state carries them on.
   */
  private recycleAfterStep(old: readonly unknown[], next: readonly unknown[]): void {
    const kept = new Set<ArrayBuffer>();
    forEachTensor(next, (t) => {
      const buffer = t._data.buffer as ArrayBuffer;
      kept.add(buffer);
      if (bornInThisPass(t._data)) this.ownedState.add(buffer);
    });
    releaseAllExcept(kept);
    forEachTensor(old, (t) => {
      const buffer = t._data.buffer as ArrayBuffer;
      if (!kept.has(buffer) && this.ownedState.delete(buffer)) recycle(t._data);
    });
  }

  private transformFor(group: Group<O>): GradientTransformation<unknown, Group<O>> {
    let transform = this.transforms.get(group);
    if (!transform) {
      transform = this.makeTransform(group);
      this.transforms.set(group, transform);
    }
    return transform;
  }

  /** Clears the gradients: sets them to null (the default, as in PyTorch 2), or fills them with zeros. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else if (p.grad) {
          const grad = p.grad;
          noGrad(() => grad.zero_());
        }
      }
    }
  }

  /** A JSON-serialisable snapshot; `loadStateDict` of it continues bit for bit. */
  stateDict(): OptimizerStateDict {
    const ids = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group, g) => {
      const { params, ...options } = group;
      const encoded = encodeValue(options, `paramGroups[${g}]`) as Record<string, Encoded>;
      return {
        ...encoded,
        params: params.map((p) => {
          ids.set(p, ids.size);
          return ids.size - 1;
        }),
      };
    });
    const state: Record<number, Encoded> = {};
    for (const [p, s] of this.state.peekAll()) {
      const id = ids.get(p);
      if (id !== undefined) state[id] = encodeValue(s, `state[${id}]`);
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()`: the groups' options and every parameter's state. The dict must have as
   * many groups, each with as many parameters, as this optimizer; nothing changes if any check fails.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (
      typeof dict !== 'object' ||
      dict === null ||
      !Array.isArray(dict.paramGroups) ||
      typeof dict.state !== 'object'
    ) {
      throw new TypeError(`${where}: expected {state, paramGroups} as made by stateDict()`);
    }
    const saved = dict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(
        `${where}: the state dict has ${saved.length} parameter groups but this optimizer has ${this.paramGroups.length}`,
      );
    }
    const byId = new Map<number, { param: Tensor; group: number }>();
    const candidates = saved.map((savedGroup, g) => {
      const group = this.paramGroups[g]!;
      const { params: ids, ...options } = savedGroup;
      if (!Array.isArray(ids) || ids.length !== group.params.length) {
        throw new RangeError(
          `${where}: parameter group ${g} has ${Array.isArray(ids) ? ids.length : 'no list of'} parameters in the state dict but ${group.params.length} in this optimizer`,
        );
      }
      ids.forEach((id, j) => {
        if (!Number.isInteger(id) || byId.has(id)) {
          throw new RangeError(
            `${where}: parameter group ${g} has an invalid or repeated parameter id ${String(id)}`,
          );
        }
        byId.set(id, { param: group.params[j]!, group: g });
      });
      const candidate = {
        params: group.params,
        ...(decodeValue(options, `paramGroups[${g}]`) as object),
      } as Group<O>;
      this.validate(candidate);
      return candidate;
    });
    const transforms = candidates.map((c) => this.makeTransform(c));
    const restored = new Map<Tensor, unknown>();
    for (const [key, encoded] of Object.entries(dict.state)) {
      const id = Number(key);
      const owner = byId.get(id);
      if (!owner)
        throw new RangeError(
          `${where}: the state dict has state for parameter id ${key}, which no group lists`,
        );
      const { param, group } = owner;
      const template = transforms[group]!.init([param], candidates[group]!)[0];
      const value = decodeValue(encoded, `state[${key}]`);
      restored.set(param, conform(template, value, param, `${where}: state[${key}]`, ''));
    }
    // Every check passed: commit.
    this.paramGroups.forEach((group, g) => {
      for (const key of Object.keys(group))
        if (key !== 'params') delete (group as Record<string, unknown>)[key];
      const { params: _params, ...options } = candidates[g]!;
      Object.assign(group, options);
      this.transforms.set(group, transforms[g]!);
    });
    this.state.clear();
    this.ownedState.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

/**
 * Checks a loaded state against the state a fresh parameter would get (same keys, tensors of the same
 * shape, numbers where numbers are) and casts float tensors to the parameter's dtype, as PyTorch does.
 */
function conform(template: unknown, value: unknown, param: Tensor, where: string, path: string): unknown {
  const fail = (expected: string, got: unknown): never => {
    const shown = got instanceof Tensor ? `a tensor of shape ${formatShape(got.shape)}` : JSON.stringify(got);
    throw new RangeError(`${where}${path} should be ${expected}, got ${shown}`);
  };
  const tensorLike = (t: Tensor, shape: readonly number[]): Tensor => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      fail(`a tensor of shape ${formatShape(shape)}`, t);
    }
    return isFloat(t.dtype) && t.dtype !== param.dtype ? t.to(param.dtype) : t;
  };
  if (template instanceof Tensor) {
    return value instanceof Tensor
      ? tensorLike(value, template.shape)
      : fail(`a tensor of shape ${formatShape(template.shape)}`, value);
  }
  if (template === null) {
    if (value === null) return null;
    return value instanceof Tensor ? tensorLike(value, param.shape) : fail('null or a tensor', value);
  }
  if (typeof template === 'number' || typeof template === 'boolean' || typeof template === 'string') {
    return typeof value === typeof template ? value : fail(`a ${typeof template}`, value);
  }
  if (Array.isArray(template)) {
    if (!Array.isArray(value) || value.length !== template.length)
      return fail(`a list of ${template.length}`, value);
    return template.map((t, i) => conform(t, value[i], param, where, `${path}[${i}]`));
  }
  if (typeof template === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Tensor) {
      return fail('an object', value);
    }
    const expected = Object.keys(template).sort();
    const got = Object.keys(value).sort();
    if (expected.join(',') !== got.join(',')) return fail(`an object with keys ${expected.join(', ')}`, got);
    const out: Record<string, unknown> = {};
    for (const key of expected) {
      out[key] = conform(
        (template as Record<string, unknown>)[key],
        (value as Record<string, unknown>)[key],
        param,
        where,
        `${path}.${key}`,
      );
    }
    return out;
  }
  return value;
}
