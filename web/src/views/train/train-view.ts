/**
 * The Train view: an MLP learns a 2-D toy dataset live. The state (data, network, optimizer,
 * schedule) is one object mirrored to the URL; any change to it starts a fresh run. The worker
 * trains with Descent and sends metrics and the decision boundary after every epoch.
 */
import { optim } from '../../../../src/browser.js';
import type { FromWorker, ToWorker } from '../../engine/protocol.js';
import { SCHEDULE_PRESETS, SCHEDULE_SUMMARIES } from '../../engine/schedules.js';
import { DATASET_CLASSES, DATASET_NAMES } from '../../engine/toy-data.js';
import type { Boundary } from '../../engine/trainer.js';
import { decodeState, encodeState } from '../../state/codec.js';
import { ACTIVATION_NAMES, TRAIN_DEFAULTS, TRAIN_SCHEMA, type TrainState } from '../../state/train-state.js';
import { drawChart } from '../../ui/chart.js';
import { button, el, field, fmt, hiDpiCanvas, numberInput, select } from '../../ui/dom.js';
import { startWorker, warnAll, type View, type ViewContext } from '../view.js';
import { drawBoundaryPlot, type PlotData } from './boundary-plot.js';

const PLOT_SIZE = 440;
const RESOLUTION = 50;
const CHART_W = 360;
const CHART_H = 140;

/** Metric histories, one entry per epoch from epoch 0 (before training). */
interface History {
  trainLoss: number[];
  valLoss: number[];
  trainAccuracy: number[];
  valAccuracy: number[];
  /** One entry per optimizer step. */
  lrs: number[];
}

function emptyHistory(): History {
  return { trainLoss: [], valLoss: [], trainAccuracy: [], valAccuracy: [], lrs: [] };
}

/** The network as text with its parameter count: '2 → 32 → 32 → 2 · 1,218 parameters'. */
function networkSummary(state: TrainState): string {
  const sizes = [2, ...state.hidden, DATASET_CLASSES[state.dataset]];
  let count = 0;
  for (let i = 0; i + 1 < sizes.length; i++) count += (sizes[i]! + 1) * sizes[i + 1]!;
  return `${sizes.join(' → ')} · ${count.toLocaleString('en')} parameters`;
}

export function mountTrain({ root, query, publish }: ViewContext): View {
  const decoded = decodeState(query, TRAIN_SCHEMA, TRAIN_DEFAULTS);
  warnAll('train', decoded.warnings);
  const state: TrainState = decoded.state;
  const worker = startWorker();
  const send = (message: ToWorker) => worker.postMessage(message);

  let history = emptyHistory();
  let boundary: Boundary | null = null;
  let data: PlotData | null = null;
  let epoch = 0;
  let playing = false;
  let done = false;
  let dirty = true;

  // --- layout
  const plot = hiDpiCanvas(PLOT_SIZE, PLOT_SIZE, { class: 'boundary', 'data-testid': 'boundary' });
  const lossChart = hiDpiCanvas(CHART_W, CHART_H, { 'data-testid': 'loss-chart' });
  const accuracyChart = hiDpiCanvas(CHART_W, CHART_H, { 'data-testid': 'accuracy-chart' });
  const lrChart = hiDpiCanvas(CHART_W, CHART_H - 20, { 'data-testid': 'lr-chart' });
  const metrics = el('div', { class: 'metrics', 'data-testid': 'metrics' });
  const playButton = button('Play', () => (playing ? pause() : play()), {
    'data-testid': 'play',
    class: 'primary',
  });
  const summary = el('div', { class: 'network-summary' });
  const layers = el('div', { class: 'layers' });

  const change = (patch: Partial<TrainState>) => {
    Object.assign(state, patch);
    reset();
  };

  function renderLayers(): void {
    const boxes = state.hidden.map((units, i) =>
      el(
        'span',
        { class: 'layer' },
        numberInput(
          units,
          (v) => {
            state.hidden[i] = v;
            change({});
          },
          { min: 1, max: 256, integer: true, step: 1, title: `units of hidden layer ${i + 1}` },
        ),
        button(
          '−',
          () => {
            state.hidden.splice(i, 1);
            renderLayers();
            change({});
          },
          { title: 'Remove this layer', class: 'small' },
        ),
      ),
    );
    const add = button(
      '+ layer',
      () => {
        state.hidden.push(state.hidden.at(-1) ?? 8);
        renderLayers();
        change({});
      },
      { class: 'small' },
    );
    add.disabled = state.hidden.length >= 8;
    layers.replaceChildren(...boxes, add);
  }

  const scheduleMenu = select(SCHEDULE_PRESETS, state.schedule, (schedule) => {
    scheduleMenu.title = SCHEDULE_SUMMARIES[schedule];
    change({ schedule });
  });
  scheduleMenu.title = SCHEDULE_SUMMARIES[state.schedule];

  const panel = el(
    'div',
    { class: 'panel' },
    el(
      'div',
      { class: 'buttons' },
      playButton,
      button('Step', () => step(), { 'data-testid': 'step', title: 'Train one epoch' }),
      button('Reset', () => reset(), { 'data-testid': 'reset', title: 'New weights, same settings' }),
    ),
    el('h2', {}, 'Data'),
    field(
      'dataset',
      select(DATASET_NAMES, state.dataset, (dataset) => change({ dataset }), { 'data-testid': 'dataset' }),
    ),
    field(
      'points',
      numberInput(state.points, (points) => change({ points }), {
        min: 20,
        max: 5000,
        integer: true,
        step: 10,
      }),
    ),
    field(
      'noise',
      numberInput(state.noise, (noise) => change({ noise }), { min: 0, max: 3, step: 0.05 }),
    ),
    field(
      'validation fraction',
      numberInput(state.valFraction, (valFraction) => change({ valFraction }), {
        min: 0,
        max: 0.9,
        step: 0.05,
      }),
    ),
    field(
      'seed',
      numberInput(state.seed, (seed) => change({ seed }), { min: 0, integer: true, step: 1 }),
    ),
    el('h2', {}, 'Network'),
    field('hidden layers (units)', layers),
    field(
      'activation',
      select(ACTIVATION_NAMES, state.activation, (activation) => change({ activation })),
    ),
    summary,
    el('h2', {}, 'Optimization'),
    field(
      'optimizer',
      select(optim.OPTIMIZER_NAMES, state.optimizer, (optimizer) => change({ optimizer })),
    ),
    field(
      'learning rate',
      numberInput(state.lr, (lr) => change({ lr }), { min: 1e-6, max: 10, 'data-testid': 'lr' }),
    ),
    field('schedule', scheduleMenu, 'Stepped once per batch over the whole run'),
    field(
      'epochs',
      numberInput(state.epochs, (epochs) => change({ epochs }), {
        min: 1,
        max: 10000,
        integer: true,
        step: 1,
      }),
    ),
    field(
      'batch size',
      numberInput(state.batchSize, (batchSize) => change({ batchSize }), {
        min: 1,
        max: 5000,
        integer: true,
        step: 1,
      }),
    ),
  );
  root.append(
    el(
      'section',
      { class: 'view train-view' },
      panel,
      el(
        'div',
        { class: 'stage' },
        plot,
        el(
          'p',
          { class: 'legend' },
          'Filled dots: training points. Rings: validation points. Background: the predicted class, paler where the network is unsure.',
        ),
      ),
      el('div', { class: 'charts' }, metrics, lossChart, accuracyChart, lrChart),
    ),
  );

  // --- run control
  function reset(): void {
    publish(encodeState(state, TRAIN_SCHEMA));
    summary.textContent = networkSummary(state);
    history = emptyHistory();
    boundary = null;
    epoch = 0;
    done = false;
    setPlaying(false);
    send({ type: 'train-reset', setup: structuredClone(state), resolution: RESOLUTION });
    dirty = true;
  }

  function setPlaying(value: boolean): void {
    playing = value;
    playButton.textContent = playing ? 'Pause' : 'Play';
    root.dataset.playing = String(playing);
  }

  function play(): void {
    if (done) return;
    setPlaying(true);
    send({ type: 'train-play' });
  }

  function pause(): void {
    setPlaying(false);
    send({ type: 'train-pause' });
  }

  function step(): void {
    setPlaying(false);
    send({ type: 'train-step' });
  }

  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === 'train-data') {
      data = message;
    } else if (message.type === 'train-progress') {
      const r = message.report;
      history.trainLoss[r.epoch] = r.trainLoss;
      history.valLoss[r.epoch] = r.valLoss;
      history.trainAccuracy[r.epoch] = r.trainAccuracy;
      history.valAccuracy[r.epoch] = r.valAccuracy;
      history.lrs.push(...r.lrs);
      if (message.boundary) boundary = message.boundary;
      epoch = r.epoch;
      done = message.done;
      if (done || !message.playing) setPlaying(false);
      dirty = true;
    } else if (message.type === 'error') {
      setPlaying(false);
      metrics.textContent = `Training stopped: ${message.message}`;
      console.error(`descent worker: ${message.message}`);
    }
  };
  worker.onerror = (event) => console.error(`descent worker failed: ${event.message}`);

  // While training runs, redraw ~8 times a second: the charts need no more, and the CPU goes to the worker.
  let frame = 0;
  let drawnAt = -Infinity;
  const draw = (now: number) => {
    frame = requestAnimationFrame(draw);
    if (!dirty || (playing && now - drawnAt < 120)) return;
    dirty = false;
    drawnAt = now;
    drawBoundaryPlot(plot, PLOT_SIZE, boundary, data);
    const at = (values: number[]) => values[epoch] ?? NaN;
    metrics.textContent =
      `epoch ${epoch}/${state.epochs}${done ? ' · done' : ''} · ` +
      `train loss ${fmt(at(history.trainLoss))}, accuracy ${(100 * at(history.trainAccuracy)).toFixed(1)}% · ` +
      `validation loss ${fmt(at(history.valLoss))}, accuracy ${(100 * at(history.valAccuracy)).toFixed(1)}%`;
    root.dataset.epoch = String(epoch);
    root.dataset.trainAccuracy = String(at(history.trainAccuracy));
    root.dataset.valAccuracy = String(at(history.valAccuracy));
    root.dataset.done = String(done);
    drawChart(
      lossChart,
      [
        { label: 'train', colour: '#0877bd', values: history.trainLoss },
        { label: 'validation', colour: '#f59322', values: history.valLoss, dashed: true },
      ],
      { title: 'cross-entropy loss', logY: true, xLabel: 'epoch' },
    );
    drawChart(
      accuracyChart,
      [
        { label: 'train', colour: '#0877bd', values: history.trainAccuracy },
        { label: 'validation', colour: '#f59322', values: history.valAccuracy, dashed: true },
      ],
      { title: 'accuracy', yRange: [0, 1], xLabel: 'epoch' },
    );
    drawChart(lrChart, [{ label: '', colour: '#6a3d9a', values: history.lrs }], {
      title: 'learning rate',
      xLabel: 'step',
    });
  };

  renderLayers();
  reset();
  draw(performance.now());
  return {
    destroy() {
      cancelAnimationFrame(frame);
      worker.terminate();
    },
  };
}
