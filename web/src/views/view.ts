/** What the app shell gives a view, and what it gets back. */
export interface ViewContext {
  /** The element the view fills. */
  root: HTMLElement;
  /** The view's state as it appears in the URL (`key=value&...`, no '?'). */
  query: string;
  /** Mirrors the view's state to the URL (replacing the history entry, so Back leaves the app). */
  publish(query: string): void;
}

/** A mounted view. */
export interface View {
  /** Stops its worker and timers; the shell empties the root. */
  destroy(): void;
}

/** Logs the warnings of a decoded URL, one line each. */
export function warnAll(view: string, warnings: readonly string[]): void {
  for (const warning of warnings) console.warn(`descent playground (${view} view): ${warning}`);
}

/** A module worker running Descent (../worker.ts). */
export function startWorker(): Worker {
  return new Worker(new URL('../worker.ts', import.meta.url), { type: 'module' });
}
