/**
 * The Runs view: compares the JSONL logs of `descent train` runs. The logs come from the runs
 * directory that `descent serve` exposes at runs/ (found by walking its JSON listings), or from
 * local files the user opens; the chosen logs (served ones only) and the plot settings are the
 * state mirrored to the URL.
 */
import { parseRunLog, RUN_METRICS, runCurve, type RunLog } from '../../engine/run-log.js';
import { decodeState, encodeState } from '../../state/codec.js';
import { RUNS_DEFAULTS, RUNS_SCHEMA, type RunsState } from '../../state/runs-state.js';
import { drawChart } from '../../ui/chart.js';
import { el, field, fmt, hiDpiCanvas, select } from '../../ui/dom.js';
import { warnAll, type View, type ViewContext } from '../view.js';

const CHART_W = 720;
const CHART_H = 400;
/** How deep to look for logs under runs/, and how many to list at most. */
const MAX_DEPTH = 3;
const MAX_LOGS = 200;
/** Dark enough on white, one per run. */
const RUN_COLOURS = [
  '#0877bd',
  '#f59322',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

interface Listing {
  entries: { name: string; type: 'file' | 'directory' }[];
}

/** The .jsonl files under runs/, as paths relative to it; null when no runs directory is served. */
async function findLogs(): Promise<string[] | null> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<boolean> => {
    const response = await fetch(`runs/${dir}`, { headers: { Accept: 'application/json' } });
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return false;
    const listing = (await response.json()) as Listing;
    for (const entry of listing.entries ?? []) {
      if (found.length >= MAX_LOGS) break;
      const path = `${dir}${encodeURIComponent(entry.name)}`;
      if (entry.type === 'file' && entry.name.endsWith('.jsonl')) found.push(path);
      else if (entry.type === 'directory' && depth < MAX_DEPTH) await walk(`${path}/`, depth + 1);
    }
    return true;
  };
  return (await walk('', 0)) ? found.map(decodeURIComponent) : null;
}

export function mountRuns({ root, query, publish }: ViewContext): View {
  const decoded = decodeState(query, RUNS_SCHEMA, RUNS_DEFAULTS);
  warnAll('runs', decoded.warnings);
  const state: RunsState = decoded.state;
  /** Loaded logs by name: served paths, or 'file:NAME' for local files. */
  const logs = new Map<string, RunLog | Error>();
  const local: string[] = [];
  let available: string[] = [];
  let alive = true;

  const chart = hiDpiCanvas(CHART_W, CHART_H, { 'data-testid': 'runs-chart' });
  const list = el('div', { class: 'run-list', 'data-testid': 'run-list' }, 'looking for runs…');
  const table = el('table', { class: 'run-table', 'data-testid': 'run-table' });
  const fileInput = el('input', { type: 'file', accept: '.jsonl,application/x-ndjson', multiple: true });
  const logYBox = el('input', { type: 'checkbox', checked: state.logY });

  const save = () => publish(encodeState(state, RUNS_SCHEMA));
  const changed = () => {
    save();
    redraw();
  };

  fileInput.addEventListener('change', async () => {
    for (const file of fileInput.files ?? []) {
      const key = `file:${file.name}`;
      try {
        logs.set(key, parseRunLog(await file.text()));
      } catch (error) {
        logs.set(key, error as Error);
      }
      if (!local.includes(key)) local.push(key);
    }
    renderList();
    redraw();
  });
  logYBox.addEventListener('change', () => {
    state.logY = logYBox.checked;
    changed();
  });

  root.append(
    el(
      'section',
      { class: 'view runs-view' },
      el(
        'div',
        { class: 'panel' },
        el('h2', {}, 'Runs'),
        list,
        field('open local logs (.jsonl)', fileInput),
        el('h2', {}, 'Plot'),
        field(
          'metric',
          select(RUN_METRICS, state.metric, (metric) => update({ metric }), { 'data-testid': 'run-metric' }),
        ),
        field(
          'against',
          select(['epoch', 'step'] as const, state.x, (x) => update({ x })),
        ),
        field('log scale', logYBox),
        el(
          'p',
          { class: 'hint' },
          'Logs come from the runs directory given to descent serve (descent serve RUNS_DIR), or from files you open.',
        ),
      ),
      el('div', { class: 'stage' }, chart, table),
    ),
  );

  function update(patch: Partial<RunsState>): void {
    Object.assign(state, patch);
    changed();
  }

  async function load(path: string): Promise<void> {
    if (logs.has(path)) return;
    try {
      const response = await fetch(`runs/${path.split('/').map(encodeURIComponent).join('/')}`);
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      logs.set(path, parseRunLog(await response.text()));
    } catch (error) {
      logs.set(path, new Error(`${path}: ${(error as Error).message}`));
    }
  }

  function renderList(): void {
    const names = [...new Set([...available, ...state.logs.filter((l) => !available.includes(l)), ...local])];
    if (names.length === 0) {
      list.textContent = 'No logs found under runs/.';
      return;
    }
    list.replaceChildren(
      ...names.map((name) => {
        const isLocal = name.startsWith('file:');
        const box = el('input', {
          type: 'checkbox',
          checked: isLocal || state.logs.includes(name),
          'data-log': name,
        });
        box.disabled = isLocal;
        box.addEventListener('change', async () => {
          state.logs = box.checked ? [...state.logs, name] : state.logs.filter((l) => l !== name);
          if (box.checked) await load(name);
          changed();
        });
        return el('label', { class: 'run-item' }, box, ` ${isLocal ? name.slice(5) + ' (local)' : name}`);
      }),
    );
  }

  function redraw(): void {
    const shown = [...state.logs, ...local];
    const series = [];
    const rows: HTMLElement[] = [
      el(
        'tr',
        {},
        ...['run', 'optimizer', 'epochs', 'loss', 'val loss', 'val accuracy', 'switches'].map((h) =>
          el('th', {}, h),
        ),
      ),
    ];
    let problems = 0;
    for (const [i, name] of shown.entries()) {
      const log = logs.get(name);
      const label = name.startsWith('file:') ? name.slice(5) : name;
      const colour = RUN_COLOURS[i % RUN_COLOURS.length]!;
      if (log === undefined) continue;
      if (log instanceof Error) {
        problems++;
        rows.push(el('tr', { class: 'error' }, el('td', { colspan: 7 }, `${label}: ${log.message}`)));
        continue;
      }
      const { xs, ys } = runCurve(log, state.metric, state.x);
      series.push({ label, colour, values: ys, xs });
      const last = log.epochs.at(-1);
      rows.push(
        el(
          'tr',
          { 'data-run': label },
          el('td', {}, el('span', { class: 'swatch', style: `background:${colour}` }), ` ${label}`),
          el('td', {}, String(log.begin.optimizer ?? last?.optimizer ?? '?')),
          el(
            'td',
            {},
            `${log.epochs.length}${typeof log.begin.epochs === 'number' ? `/${log.begin.epochs}` : ''}`,
          ),
          el('td', {}, fmt(last?.loss ?? NaN)),
          el('td', {}, fmt(last?.valLoss ?? NaN)),
          el(
            'td',
            {},
            last?.valMetrics.accuracy != null ? `${(100 * last.valMetrics.accuracy).toFixed(1)}%` : '–',
          ),
          el('td', {}, log.switches.map((s) => `${s.from}→${s.to} @${s.step}`).join(', ') || '–'),
        ),
      );
    }
    table.replaceChildren(...rows);
    root.dataset.runs = String(series.length);
    root.dataset.problems = String(problems);
    drawChart(chart, series, {
      title: `${state.metric} per ${state.x}`,
      logY: state.logY && !state.metric.includes('accuracy'),
      xLabel: state.x,
      record: true,
    });
  }

  save();
  redraw();
  findLogs()
    .then(async (found) => {
      if (!alive) return;
      available = found ?? [];
      if (found === null) list.textContent = 'No runs directory is served here: open local logs below.';
      else renderList();
      await Promise.all(state.logs.map(load));
      if (!alive) return;
      if (found !== null) renderList();
      redraw();
      root.dataset.ready = 'true';
    })
    .catch((error: Error) => {
      list.textContent = `Could not list the runs: ${error.message}`;
      root.dataset.ready = 'true';
    });
  return {
    destroy() {
      alive = false;
    },
  };
}
