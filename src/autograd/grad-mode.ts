/**
 * Whether ops record the graph. Inside `noGrad(fn)` nothing is recorded: evaluation, optimizer updates
 * and the backward pass itself run there. The mode is a simple counter, so the functions nest.
 */
let disabledDepth = 0;

export function isGradEnabled(): boolean {
  return disabledDepth === 0;
}

/** Runs `fn` without recording the graph (PyTorch's `torch.no_grad()`), and returns its result. */
export function noGrad<T>(fn: () => T): T {
  disabledDepth++;
  try {
    return fn();
  } finally {
    disabledDepth--;
  }
}

/** Runs `fn` with recording on again, even inside `noGrad` (PyTorch's `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  const saved = disabledDepth;
  disabledDepth = 0;
  try {
    return fn();
  } finally {
    disabledDepth = saved;
  }
}
