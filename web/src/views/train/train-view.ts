/**
 * The Train view: a network learns live, either an MLP on a 2-D toy dataset (with its decision
 * boundary) or an MLP or CNN on the embedded Fashion-MNIST subset (with the validation confusion
 * matrix). The state (data, network, optimizer, schedule, augmentation) is one object mirrored to
 * the URL; any change to it starts a fresh run. The run lives in the shared training session
 * (./session.ts), which the Inside view looks into.
 */
import { optim, parseAugmentSpec } from '../../../../src/browser.js';
import { SCHEDULE_PRESETS, SCHEDULE_SUMMARIES } from '../../engine/schedules.js';
import { DATASET_CLASSES } from '../../engine/toy-data.js';
import { IMAGE_MODELS } from '../../engine/trainer.js';
import { decodeState, encodeState } from '../../state/codec.js';
import {
  ACTIVATION_NAMES,
  IMAGE_PRESET,
  TOY_PRESET,
  TRAIN_DATASETS,
  TRAIN_DEFAULTS,
  TRAIN_SCHEMA,
  isImageDataset,
  type TrainState,
} from '../../state/train-state.js';
import { drawChart } from '../../ui/chart.js';
import { button, el, field, fmt, hiDpiCanvas, numberInput, select } from '../../ui/dom.js';
import { warnAll, type View, type ViewContext } from '../view.js';
import { drawBoundaryPlot } from './boundary-plot.js';
import { drawConfusionMatrix } from './confusion-plot.js';
import { trainSession, type TrainSession } from './session.js';

const PLOT_SIZE = 440;
const CHART_W = 360;
const CHART_H = 140;

/** The network as text with its parameter count: '2 → 32 → 32 → 2 · 1,218 parameters'. */
export function networkSummary(state: TrainState): string {
  if (isImageDataset(state.dataset)) {
    if (state.model === 'mlp') {
      const sizes = [784, ...state.hidden, 10];
      let count = 0;
      for (let i = 0; i + 1 < sizes.length; i++) count += (sizes[i]! + 1) * sizes[i + 1]!;
      return `MLP ${sizes.join(' → ')} · ${count.toLocaleString('en')} parameters`;
    }
    let count = 0;
    let inChannels = 1;
    let side = 28;
    for (const c of state.channels) {
      count += (inChannels * 9 + 1) * c;
      inChannels = c;
      side = Math.floor(side / 2);
    }
    const sizes = [inChannels * side * side, ...state.hidden, 10];
    for (let i = 0; i + 1 < sizes.length; i++) count += (sizes[i]! + 1) * sizes[i + 1]!;
    return `CNN conv ${state.channels.join(', ')} → ${sizes.slice(1).join(' → ')} · ${count.toLocaleString('en')} parameters`;
  }
  const sizes = [2, ...state.hidden, DATASET_CLASSES[state.dataset as keyof typeof DATASET_CLASSES]];
  let count = 0;
  for (let i = 0; i + 1 < sizes.length; i++) count += (sizes[i]! + 1) * sizes[i + 1]!;
  return `${sizes.join(' → ')} · ${count.toLocaleString('en')} parameters`;
}

/** A text box for a comma-separated list of positive integers, e.g. CNN channels '8,16'. */
function listInput(values: number[], onChange: (values: number[]) => void, max: number, attributes = {}) {
  const node = el('input', { type: 'text', value: values.join(','), ...attributes });
  node.addEventListener('change', () => {
    const parts = node.value.split(',').map((p) => Number(p.trim()));
    const ok =
      parts.length >= 1 && parts.length <= 3 && parts.every((v) => Number.isInteger(v) && v >= 1 && v <= max);
    node.classList.toggle('invalid', !ok);
    if (ok) onChange(parts);
  });
  return node;
}

/** The run controls both views show: Play/Pause, Step, Reset. */
export function runButtons(
  session: TrainSession,
  onReset: () => void,
): { node: HTMLElement; update(): void } {
  const playButton = button('Play', () => (session.playing ? session.pause() : session.play()), {
    'data-testid': 'play',
    class: 'primary',
  });
  const node = el(
    'div',
    { class: 'buttons' },
    playButton,
    button('Step', () => session.step(), {
      'data-testid': 'step',
      title: 'Train one epoch (toy data) or about a tenth of a second of steps (images)',
    }),
    button('Reset', onReset, { 'data-testid': 'reset', title: 'New weights, same settings' }),
  );
  return {
    node,
    update() {
      playButton.textContent = session.playing ? 'Pause' : 'Play';
      playButton.disabled = session.loading;
    },
  };
}

export function mountTrain({ root, query, publish }: ViewContext): View {
  const decoded = decodeState(query, TRAIN_SCHEMA, TRAIN_DEFAULTS);
  warnAll('train', decoded.warnings);
  const state: TrainState = decoded.state;
  const session = trainSession();
  let dirty = true;

  // --- layout
  const plot = hiDpiCanvas(PLOT_SIZE, PLOT_SIZE, { class: 'boundary', 'data-testid': 'boundary' });
  const confusion = hiDpiCanvas(PLOT_SIZE, PLOT_SIZE, { class: 'confusion', 'data-testid': 'confusion' });
  const legend = el('p', { class: 'legend' });
  const lossChart = hiDpiCanvas(CHART_W, CHART_H, { 'data-testid': 'loss-chart' });
  const accuracyChart = hiDpiCanvas(CHART_W, CHART_H, { 'data-testid': 'accuracy-chart' });
  const lrChart = hiDpiCanvas(CHART_W, CHART_H - 20, { 'data-testid': 'lr-chart' });
  const metrics = el('div', { class: 'metrics', 'data-testid': 'metrics' });
  const controls = runButtons(session, () => session.reset(state));
  const summary = el('div', { class: 'network-summary' });
  const layers = el('div', { class: 'layers' });
  const panel = el('div', { class: 'panel' });
  const stage = el('div', { class: 'stage' });
  const insideLink = el(
    'a',
    { class: 'inside-link', 'data-testid': 'inside-link' },
    'Look inside the network →',
  );

  const change = (patch: Partial<TrainState>) => {
    const wasImages = isImageDataset(state.dataset);
    Object.assign(state, patch);
    if (patch.dataset !== undefined && isImageDataset(state.dataset) !== wasImages) {
      Object.assign(state, structuredClone(isImageDataset(state.dataset) ? IMAGE_PRESET : TOY_PRESET));
      renderPanel();
    }
    if (patch.model !== undefined) renderPanel();
    restart();
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

  function augmentInput(): HTMLInputElement {
    const node = el('input', {
      type: 'text',
      value: state.augment,
      placeholder: 'e.g. rotate=10,crop=2,flip',
      'data-testid': 'augment',
    });
    node.addEventListener('change', () => {
      try {
        parseAugmentSpec(node.value);
        node.classList.remove('invalid');
        node.title = '';
        change({ augment: node.value.trim() === 'none' ? '' : node.value.trim() });
      } catch (error) {
        node.classList.add('invalid');
        node.title = (error as Error).message;
      }
    });
    return node;
  }

  function renderPanel(): void {
    const images = isImageDataset(state.dataset);
    const scheduleMenu = select(SCHEDULE_PRESETS, state.schedule, (schedule) => {
      scheduleMenu.title = SCHEDULE_SUMMARIES[schedule];
      change({ schedule });
    });
    scheduleMenu.title = SCHEDULE_SUMMARIES[state.schedule];
    const dataFields = images
      ? [
          field(
            'training images',
            numberInput(state.images, (n) => change({ images: n }), {
              min: 100,
              max: 10000,
              integer: true,
              step: 100,
            }),
            'Drawn from the 10,000 of the embedded subset in a seeded order',
          ),
          field(
            'validation images',
            numberInput(state.valImages, (n) => change({ valImages: n }), {
              min: 100,
              max: 2000,
              integer: true,
              step: 100,
            }),
            'The first of the subset’s 2,000 test images',
          ),
          field(
            'augmentation',
            augmentInput(),
            'As descent train --augment: brightness, contrast, rotate, crop, flip, translate, noise, erase',
          ),
        ]
      : [
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
        ];
    const modelFields = images
      ? [
          field(
            'model',
            select(IMAGE_MODELS, state.model, (model) => change({ model }), { 'data-testid': 'model' }),
          ),
          state.model === 'cnn' &&
            field(
              'conv channels',
              listInput(state.channels, (channels) => change({ channels }), 64, {
                'data-testid': 'channels',
              }),
              'Output channels of each Conv(3×3) → activation → MaxPool(2) block, 1 to 3 blocks',
            ),
        ]
      : [];
    panel.replaceChildren(
      controls.node,
      el('h2', {}, 'Data'),
      field(
        'dataset',
        select(TRAIN_DATASETS, state.dataset, (dataset) => change({ dataset }), { 'data-testid': 'dataset' }),
      ),
      ...dataFields,
      field(
        'seed',
        numberInput(state.seed, (seed) => change({ seed }), { min: 0, integer: true, step: 1 }),
      ),
      el('h2', {}, 'Network'),
      ...modelFields.filter((f) => f !== false),
      field(
        images && state.model === 'cnn' ? 'hidden layers after the convolutions' : 'hidden layers (units)',
        layers,
      ),
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
    renderLayers();
    stage.replaceChildren(images ? confusion : plot, legend, insideLink);
    legend.textContent = images
      ? 'Validation confusion matrix: rows are the true classes, columns the predictions; the diagonal is right. Shaded by share of the row.'
      : 'Filled dots: training points. Rings: validation points. Background: the predicted class, paler where the network is unsure.';
  }

  root.append(
    el(
      'section',
      { class: 'view train-view' },
      panel,
      stage,
      el('div', { class: 'charts' }, metrics, lossChart, accuracyChart, lrChart),
    ),
  );

  /** Publishes the state and makes sure the session runs it (a new setup starts a fresh run). */
  function restart(): void {
    const encoded = encodeState(state, TRAIN_SCHEMA);
    publish(encoded);
    insideLink.setAttribute('href', `#/inside?${encoded}&image=0`);
    summary.textContent = networkSummary(state);
    session.ensure(state);
    dirty = true;
  }

  const unsubscribe = session.subscribe(() => (dirty = true));

  function describe(): string {
    if (session.error) return `Training stopped: ${session.error}`;
    if (session.loading) return 'Loading the Fashion-MNIST subset…';
    const c = session.curves;
    const last = (values: number[]) => values.at(-1) ?? NaN;
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    if (session.images) {
      return (
        `epoch ${session.epoch.toFixed(2)}/${state.epochs} · step ${session.steps}/${session.images.totalSteps}` +
        `${session.done ? ' · done' : ''} · train loss ${fmt(last(c.trainLoss))}, accuracy ${pct(last(c.trainAccuracy))} (last steps) · ` +
        `validation (${session.images.valCount} images) loss ${fmt(last(c.valLoss))}, accuracy ${pct(last(c.valAccuracy))}`
      );
    }
    return (
      `epoch ${session.epoch}/${state.epochs}${session.done ? ' · done' : ''} · ` +
      `train loss ${fmt(last(c.trainLoss))}, accuracy ${pct(last(c.trainAccuracy))} · ` +
      `validation loss ${fmt(last(c.valLoss))}, accuracy ${pct(last(c.valAccuracy))}`
    );
  }

  // While training runs, redraw ~8 times a second: the charts need no more, and the CPU goes to the worker.
  let frame = 0;
  let drawnAt = -Infinity;
  const draw = (now: number) => {
    frame = requestAnimationFrame(draw);
    if (!dirty || (session.playing && now - drawnAt < 120)) return;
    dirty = false;
    drawnAt = now;
    controls.update();
    root.dataset.playing = String(session.playing);
    metrics.textContent = describe();
    const c = session.curves;
    const images = session.images !== null;
    if (images) {
      drawConfusionMatrix(confusion, PLOT_SIZE, session.confusion, session.images!.classNames);
      const total = session.confusion?.flat().reduce((a, b) => a + b, 0) ?? 0;
      const diagonal = session.confusion?.reduce((a, row, i) => a + row[i]!, 0) ?? 0;
      root.dataset.confusionTotal = String(total);
      root.dataset.confusionCorrect = String(diagonal);
      root.dataset.valCount = String(session.images!.valCount);
      root.dataset.steps = String(session.steps);
      root.dataset.valPoints = String(c.valX.length);
    } else if (!session.loading) {
      drawBoundaryPlot(plot, PLOT_SIZE, session.boundary, session.toyData);
    }
    if (session.toyData || session.images) {
      root.dataset.epoch = String(session.epoch);
      root.dataset.trainAccuracy = String(c.trainAccuracy.at(-1) ?? NaN);
      root.dataset.valAccuracy = String(c.valAccuracy.at(-1) ?? NaN);
      root.dataset.done = String(session.done);
    }
    const xLabel = images ? 'step' : 'epoch';
    drawChart(
      lossChart,
      [
        { label: images ? 'train (batches)' : 'train', colour: '#0877bd', values: c.trainLoss, xs: c.trainX },
        { label: 'validation', colour: '#f59322', values: c.valLoss, xs: c.valX, dashed: true },
      ],
      { title: 'cross-entropy loss', logY: true, xLabel },
    );
    drawChart(
      accuracyChart,
      [
        {
          label: images ? 'train (batches)' : 'train',
          colour: '#0877bd',
          values: c.trainAccuracy,
          xs: c.trainX,
        },
        { label: 'validation', colour: '#f59322', values: c.valAccuracy, xs: c.valX, dashed: true },
      ],
      { title: 'accuracy', yRange: [0, 1], xLabel },
    );
    drawChart(lrChart, [{ label: '', colour: '#6a3d9a', values: c.lrs }], {
      title: 'learning rate',
      xLabel: 'step',
    });
  };

  renderPanel();
  restart();
  draw(performance.now());
  return {
    destroy() {
      cancelAnimationFrame(frame);
      unsubscribe();
    },
  };
}
