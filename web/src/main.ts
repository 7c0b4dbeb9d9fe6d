/**
 * The playground's shell: a tab per view and the router. The address is `#/VIEW?STATE`, where STATE
 * is the view's whole state as `key=value&...`; a view rewrites it on every change, and a pasted or
 * edited address mounts the view afresh from it.
 */
import './style.css';
import { mountDescent } from './views/descent/descent-view.js';
import { mountInside } from './views/inside/inside-view.js';
import { mountRuns } from './views/runs/runs-view.js';
import { mountTrain } from './views/train/train-view.js';
import type { View, ViewContext } from './views/view.js';

const VIEWS: Record<string, { title: string; mount(context: ViewContext): View }> = {
  descent: { title: 'Descent', mount: mountDescent },
  train: { title: 'Train', mount: mountTrain },
  inside: { title: 'Inside', mount: mountInside },
  runs: { title: 'Runs', mount: mountRuns },
};
const DEFAULT_VIEW = 'descent';

/** The view name and its state from `#/view?state`. */
export function parseLocation(hash: string): { view: string; query: string } {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const name = (q < 0 ? text : text.slice(0, q)) || DEFAULT_VIEW;
  const query = q < 0 ? '' : text.slice(q + 1);
  if (!Object.prototype.hasOwnProperty.call(VIEWS, name)) {
    console.warn(`descent playground: no view '${name}'; showing ${DEFAULT_VIEW}`);
    return { view: DEFAULT_VIEW, query: '' };
  }
  return { view: name, query };
}

const nav = document.querySelector<HTMLElement>('#views')!;
const main = document.querySelector<HTMLElement>('#app')!;
let current: View | null = null;
/** The address the mounted view last wrote, so that our own rewrites do not remount it. */
let written = '';

function mount(): void {
  if (location.hash === written && current) return;
  current?.destroy();
  main.replaceChildren();
  const { view, query } = parseLocation(location.hash);
  main.dataset.view = view;
  for (const link of nav.querySelectorAll('a')) {
    link.classList.toggle('active', link.dataset.view === view);
  }
  current = VIEWS[view]!.mount({
    root: main,
    query,
    publish(state) {
      written = `#/${view}?${state}`;
      if (location.hash !== written) history.replaceState(null, '', written);
    },
  });
}

for (const [name, { title }] of Object.entries(VIEWS)) {
  const link = document.createElement('a');
  link.href = `#/${name}`;
  link.textContent = title;
  link.dataset.view = name;
  nav.append(link);
}
window.addEventListener('hashchange', mount);
mount();
