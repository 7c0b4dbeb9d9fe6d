/**
 * Reverse-mode automatic differentiation. Every op that produces a tensor from inputs that require grad
 * records a `GradFn` on its output: the inputs, and a closure that maps the gradient of the output to
 * the gradients of the inputs (the vector-Jacobian product). The closures live next to each op's
 * forward code in src/tensor/ops. `backward()` visits the recorded graph in reverse topological order.
 */
import type { Tensor } from '../tensor/tensor.js';
import { recycle, release, trackAllocations } from '../backend/pool.js';
import { isGradEnabled, noGrad } from './grad-mode.js';

export interface GradFn {
  /** The op's name, for error messages and graph printing (`grad_fn` in PyTorch). */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** The inputs' versions when the op ran: an in-place change afterwards invalidates the saved values. */
  readonly versions: readonly number[];
  /** For ops whose gradient reads their own output (exp, sqrt, tanh, ...): its version when made. */
  readonly outputVersion?: number;
  backward: ((gradOutput: Tensor) => readonly (Tensor | null)[]) | null;
}

export type BackwardFn = (gradOutput: Tensor) => readonly (Tensor | null)[];

/**
 * Attaches the gradient rule to `out` when grad mode is on and some input requires grad; returns `out`.
 * Integer and bool outputs (argmax, comparisons) never require grad.
 */
export function record(
  out: Tensor,
  inputs: readonly Tensor[],
  name: string,
  backward: BackwardFn,
  options: { savesOutput?: boolean } = {},
): Tensor {
  if (!isGradEnabled()) return out;
  if (out.dtype !== 'float32' && out.dtype !== 'float64') return out;
  if (!inputs.some((t) => t.requiresGrad)) return out;
  // A copy of the list: a caller's array (cat's, stack's) may be changed after the op ran.
  out._gradFn = {
    name,
    inputs: [...inputs],
    versions: inputs.map((t) => t._version),
    backward,
    ...(options.savesOutput ? { outputVersion: out._version } : {}),
  };
  out._requiresGrad = true;
  return out;
}

export interface BackwardOptions {
  /** Keep the graph's saved values so that backward can run through it again. */
  retainGraph?: boolean;
}

export function runBackward(root: Tensor, gradient: Tensor, options: BackwardOptions = {}): void {
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, gradient]]);
  // The gradients' buffers die here, once consumed: `holds` counts, per ArrayBuffer, the references
  // the engine holds (an entry of `grads`, or an input gradient being routed), since a gradient may
  // share its buffer with others (add passes g through to both inputs, reshape's gradient is a view).
  // A count that drops to zero frees the buffer to the pool, which accepts it only if it was
  // allocated during this pass: the root gradient, saved forward tensors and anything else the user
  // may hold were made before, and every copy that outlives the pass (.grad) is a new buffer.
  const holds = new Map<ArrayBuffer, number>();
  const hold = (t: Tensor) => {
    const buffer = t._data.buffer as ArrayBuffer;
    holds.set(buffer, (holds.get(buffer) ?? 0) + 1);
  };
  const drop = (t: Tensor) => {
    const buffer = t._data.buffer as ArrayBuffer;
    const count = holds.get(buffer)! - 1;
    if (count > 0) return void holds.set(buffer, count);
    holds.delete(buffer);
    release(t._data);
  };
  hold(gradient);
  trackAllocations(() =>
    noGrad(() => {
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i]!;
        const g = grads.get(t);
        if (!g) continue;
        grads.delete(t);
        const fn = t._gradFn;
        if (!fn) {
          accumulateGrad(t, g);
          drop(g);
          continue;
        }
        if (t._retainsGrad) accumulateGrad(t, g);
        if (!fn.backward) {
          throw new Error(
            `backward: trying to backward through the graph a second time (through ${fn.name}); its saved values ` +
              'were freed after the first backward(). Pass {retainGraph: true} to the first backward() if you need to.',
          );
        }
        fn.inputs.forEach((input, k) => {
          if (input._version !== fn.versions[k]) {
            throw new Error(
              `backward: an input of ${fn.name} (shape [${input.shape.join(', ')}]) was modified in place after it ` +
                `was used (version ${fn.versions[k]} then, ${input._version} now), so its gradient would be wrong. ` +
                'Use the out-of-place op or clone() the tensor before changing it.',
            );
          }
        });
        if (fn.outputVersion !== undefined && t._version !== fn.outputVersion) {
          throw new Error(
            `backward: the output of ${fn.name} (shape [${t.shape.join(', ')}]) was modified in place after it was ` +
              'computed, and its gradient rule needs that output; use the out-of-place op or clone() it first.',
          );
        }
        const inputGrads = fn.backward(g);
        if (!options.retainGraph) fn.backward = null;
        // Hold every returned gradient (and cast) while routing, so that none is freed while another
        // sharing its buffer is still to be stored.
        const routing: Tensor[] = [];
        fn.inputs.forEach((input, k) => {
          const ig = inputGrads[k];
          if (!ig) return;
          hold(ig);
          routing.push(ig);
          if (!input.requiresGrad) return;
          const cast = ig.dtype === input.dtype ? ig : ig.to(input.dtype);
          if (cast !== ig) {
            hold(cast);
            routing.push(cast);
          }
          const prev = grads.get(input);
          const sum = prev ? prev.add(cast) : cast;
          grads.set(input, sum);
          hold(sum);
          if (prev) drop(prev);
        });
        for (const r of routing) drop(r);
        drop(g);
      }
    }),
  );
  if (!options.retainGraph) recycleEphemeral(order);
}

/**
 * The activations a Sequential marked as reachable only by itself and the graph (`_ephemeral`) are
 * dead once backward has freed every saved value that held them: their own node's (when it saves
 * its output) and their consumers' (which ran before them, in reverse order). So the buffer of each
 * one whose node ran is recycled, once, after the pass.
 */
function recycleEphemeral(order: readonly Tensor[]): void {
  let seen: Set<ArrayBuffer> | null = null;
  for (const t of order) {
    if (!t._ephemeral || t._gradFn?.backward !== null) continue;
    t._ephemeral = false;
    const buffer = t._data.buffer as ArrayBuffer;
    seen ??= new Set();
    if (seen.has(buffer)) continue;
    seen.add(buffer);
    recycle(t._data);
  }
}

function accumulateGrad(t: Tensor, g: Tensor): void {
  const cast = g.dtype === t.dtype ? g : g.to(t.dtype);
  // A fresh buffer: the same gradient tensor may flow to several places, and users may change .grad in place.
  t.grad = t.grad ? t.grad.add(cast) : cast.clone();
}

/** Tensors that require grad and are reachable from root, every input before the tensors made from it. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const inputs = t._gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}
