/**
 * The Descent view: optimizers race down a loss surface. The state (surface, start, racers, ...)
 * lives in one object mirrored to the URL; the worker computes the heatmap and every step with
 * Descent's autograd and optimizers and streams the points back; the page only draws.
 */
import type { FromWorker, ToWorker } from '../../engine/protocol.js';
import { optim } from '../../../../src/browser.js';
import { parseRacer, type RacerSpec } from '../../engine/racer.js';
import { SURFACE_NAMES, SURFACES, type SurfaceName } from '../../engine/surfaces.js';
import { decodeState, encodeState } from '../../state/codec.js';
import {
  COLOUR_SCALES,
  DESCENT_DEFAULTS,
  DESCENT_SCHEMA,
  type DescentState,
} from '../../state/descent-state.js';
import { button, el, field, hiDpiCanvas, numberInput, select } from '../../ui/dom.js';
import { startWorker, warnAll, type View, type ViewContext } from '../view.js';
import { SurfacePlot } from './plot.js';
import { RacerCard, type RacerRun } from './racer-card.js';

const PLOT_SIZE = 560;
const GRID = 200;

const SURFACE_LABELS = Object.fromEntries(SURFACE_NAMES.map((n) => [n, SURFACES[n].label])) as Record<
  SurfaceName,
  string
>;

export function mountDescent({ root, query, publish }: ViewContext): View {
  const decoded = decodeState(query, DESCENT_SCHEMA, DESCENT_DEFAULTS);
  warnAll('descent', decoded.warnings);
  const state: DescentState = decoded.state;
  const worker = startWorker();
  const send = (message: ToWorker) => worker.postMessage(message);

  let runs: RacerRun[] = [];
  let cards: RacerCard[] = [];
  let raceStep = 0;
  let finished = false;
  let paused = false;
  let gridId = 0;
  let dirty = true;

  // --- layout
  const canvas = hiDpiCanvas(PLOT_SIZE, PLOT_SIZE, { class: 'surface', 'data-testid': 'surface' });
  const plot = new SurfacePlot(canvas, PLOT_SIZE);
  const counter = el('div', { class: 'step-counter', 'data-testid': 'step-counter' }, 'step 0');
  const formula = el('p', { class: 'formula' });
  const racersBox = el('div', { class: 'racers' });
  const pauseButton = button('Pause', () => togglePause(), { 'data-testid': 'pause' });
  const conditionField = field(
    'condition number κ',
    numberInput(state.condition, (v) => update({ condition: v }, true), {
      min: 1,
      max: 1e4,
      'data-testid': 'condition',
    }),
    'Ratio of the largest to the smallest curvature of the bowl',
  );
  const controls = el(
    'div',
    { class: 'panel' },
    el('h2', {}, 'Surface'),
    field(
      'loss surface',
      select(
        SURFACE_NAMES,
        state.surface,
        (surface) => update({ surface, start: [...SURFACES[surface].start] }, true),
        {
          'data-testid': 'surface-select',
        },
        SURFACE_LABELS,
      ),
    ),
    conditionField,
    field(
      'colours',
      select(COLOUR_SCALES, state.colour, (colour) => update({ colour }, true)),
      'auto: log scale where the loss spans decades',
    ),
    el('h2', {}, 'Race'),
    field(
      'steps',
      numberInput(state.steps, (steps) => update({ steps }), { min: 1, max: 20000, integer: true, step: 1 }),
    ),
    field(
      'speed (steps/s)',
      numberInput(
        state.speed,
        (speed) => {
          state.speed = speed;
          save();
          send({ type: 'race-speed', speed });
        },
        { min: 1, max: 100000 },
      ),
    ),
    el(
      'div',
      { class: 'buttons' },
      button('Restart', () => restart(), { 'data-testid': 'restart' }),
      pauseButton,
      button('Add racer', () => addRacer(), { 'data-testid': 'add-racer' }),
    ),
    el(
      'p',
      { class: 'hint' },
      'Click the plot to start the race from there. Every setting is in the address: copy it to share this race.',
    ),
  );
  root.append(
    el(
      'section',
      { class: 'view descent-view' },
      controls,
      el('div', { class: 'stage' }, el('div', { class: 'plot-wrap' }, canvas, counter), formula),
      el('div', { class: 'racers-column' }, el('h2', {}, 'Racers'), racersBox),
    ),
  );

  // --- state changes
  function save(): void {
    publish(encodeState(state, DESCENT_SCHEMA));
  }

  /** Applies a change, mirrors it to the URL and restarts the race (with a new heatmap if needed). */
  function update(change: Partial<DescentState>, newGrid = false): void {
    Object.assign(state, change);
    save();
    if (newGrid) requestGrid();
    restart();
  }

  function requestGrid(): void {
    conditionField.hidden = state.surface !== 'bowl';
    formula.textContent = SURFACES[state.surface].formula;
    send({
      type: 'grid',
      id: ++gridId,
      surface: state.surface,
      params: { condition: state.condition },
      width: GRID,
      height: GRID,
    });
  }

  function restart(): void {
    runs = state.racers.map(() => ({ xs: [], ys: [], losses: [], lrs: [], activeName: '', done: false }));
    raceStep = 0;
    finished = false;
    paused = false;
    pauseButton.textContent = 'Pause';
    root.dataset.finished = 'false';
    // Cards are rebuilt when racers come or go; an edited racer keeps its card (and the focus).
    if (cards.length !== state.racers.length) renderCards();
    send({
      type: 'race-start',
      setup: {
        surface: state.surface,
        params: { condition: state.condition },
        start: [...state.start],
        racers: state.racers,
        steps: state.steps,
      },
      speed: state.speed,
    });
    dirty = true;
  }

  function togglePause(): void {
    if (finished) return;
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    send({ type: paused ? 'race-pause' : 'race-resume' });
  }

  function renderCards(): void {
    cards = state.racers.map(
      (spec, i) =>
        new RacerCard(
          i,
          spec,
          {
            change: (next: RacerSpec, rebuild: boolean) => {
              state.racers[i] = next;
              save();
              if (rebuild) renderCards();
              restart();
            },
            remove: () => {
              state.racers.splice(i, 1);
              update({});
            },
          },
          state.racers.length > 1,
        ),
    );
    racersBox.replaceChildren(...cards.map((c) => c.element));
  }

  function addRacer(): void {
    if (state.racers.length >= 12) return;
    const used = new Set(state.racers.map((r) => r.optimizer));
    const name = optim.OPTIMIZER_NAMES.find((n) => !used.has(n)) ?? 'adam';
    state.racers.push(parseRacer(name));
    update({});
  }

  canvas.addEventListener('click', (event) => {
    const box = canvas.getBoundingClientRect();
    const [x, y] = plot.pixelToSurface(state.surface, event.clientX - box.left, event.clientY - box.top);
    update({ start: [Number(x.toPrecision(4)), Number(y.toPrecision(4))] });
  });

  // --- messages from the worker
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === 'grid') {
      if (message.id !== gridId) return;
      const log = state.colour === 'auto' ? SURFACES[state.surface].logColour : state.colour === 'log';
      plot.setGrid(state.surface, message.values, message.width, message.height, log);
      dirty = true;
    } else if (message.type === 'race-progress') {
      message.chunks.forEach((chunk, i) => {
        const run = runs[i];
        if (!run) return;
        run.xs.push(...chunk.xs);
        run.ys.push(...chunk.ys);
        run.losses.push(...chunk.losses);
        run.lrs.push(...chunk.lrs);
        run.activeName = chunk.activeName;
        run.done = chunk.done;
        if (chunk.error !== undefined) run.error = chunk.error;
      });
      raceStep = message.step;
      finished = message.finished;
      dirty = true;
    } else if (message.type === 'error') {
      console.error(`descent worker: ${message.message}`);
    }
  };
  worker.onerror = (event) => console.error(`descent worker failed: ${event.message}`);

  // --- drawing, once per frame when something changed
  let frame = 0;
  const draw = () => {
    frame = requestAnimationFrame(draw);
    if (!dirty) return;
    dirty = false;
    plot.draw(state.surface, state.start, runs);
    counter.textContent = `step ${raceStep} / ${state.steps}${finished ? ' · done' : paused ? ' · paused' : ''}`;
    root.dataset.step = String(raceStep);
    root.dataset.finished = String(finished);
    cards.forEach((card, i) => card.show(runs[i]!, state.steps));
  };

  save();
  requestGrid();
  restart();
  draw();
  return {
    destroy() {
      cancelAnimationFrame(frame);
      worker.terminate();
    },
  };
}
