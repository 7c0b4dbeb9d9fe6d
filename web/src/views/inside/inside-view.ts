/**
 * The Inside view: what the network being trained in the Train view (the same worker and model, see
 * ../train/session.ts) does with one validation image: every layer's output, the first layer's
 * weights as pictures (28×28 per unit of an MLP, 3×3 per kernel of a CNN), and, per layer and step,
 * the gradient norm, the relative update ‖Δθ‖/‖θ‖ and the fraction of dead ReLU units as live
 * charts. The state is the Train view's plus the image index, mirrored to the URL.
 */
import type { Inspection } from '../../engine/image-trainer.js';
import { decodeState, encodeState } from '../../state/codec.js';
import { INSIDE_DEFAULTS, INSIDE_SCHEMA, trainStateOf, type InsideState } from '../../state/inside-state.js';
import { TRAIN_SCHEMA } from '../../state/train-state.js';
import { drawChart } from '../../ui/chart.js';
import { button, el, fmt, hiDpiCanvas, numberInput } from '../../ui/dom.js';
import { runButtons } from '../train/train-view.js';
import { trainSession } from '../train/session.js';
import { warnAll, type View, type ViewContext } from '../view.js';
import { featureMapCanvas, tileCanvas } from './tiles.js';

const MAP_WIDTH = 460;
const CHART_W = 220;
const CHART_H = 96;
/** While training, the followed image is run through the model again this often. */
const INSPECT_EVERY_MS = 700;

export function mountInside({ root, query, publish }: ViewContext): View {
  const decoded = decodeState(query, INSIDE_SCHEMA, INSIDE_DEFAULTS);
  warnAll('inside', decoded.warnings);
  const state: InsideState = decoded.state;
  const session = trainSession();
  let dirty = true;
  let inspection: Inspection | null = null;
  let inspectedAt = -Infinity;
  let inspectedStep = -1;
  let inFlight = false;
  let staleImage = true;

  const controls = runButtons(session, () => session.reset(trainStateOf(state)));
  const imageInput = numberInput(state.image, (image) => setImage(image), {
    min: 0,
    max: 1999,
    integer: true,
    step: 1,
    'data-testid': 'image-index',
  });
  const picked = el('div', { class: 'picked', 'data-testid': 'picked' });
  const thumbnails = el('div', { class: 'thumbnails', 'data-testid': 'thumbnails' });
  let thumbnailsFor: unknown = null;
  const status = el('div', { class: 'metrics', 'data-testid': 'inside-status' });
  const trainLink = el('a', { class: 'inside-link' }, '← The Train view of this run');
  const mapsSection = el('div', { class: 'maps', 'data-testid': 'feature-maps' });
  const weightsSection = el('div', { class: 'weights' });
  const statsSection = el('div', { class: 'layer-stats' });

  function setImage(image: number): void {
    const max = (session.images?.valCount ?? 2000) - 1;
    state.image = Math.max(0, Math.min(max, Math.floor(image)));
    imageInput.value = String(state.image);
    staleImage = true;
    republish();
  }

  /** One clickable thumbnail per class (its first validation image); the followed image is outlined. */
  function renderThumbnails(): void {
    const info = session.images;
    thumbnailsFor = info;
    thumbnails.replaceChildren(
      ...(info?.samples ?? []).map(({ index, label, pixels }) => {
        const canvas = tileCanvas(1, 28, 28, pixels, { columns: 1, scale: 1, colours: 'grey' });
        const item = el(
          'button',
          {
            type: 'button',
            class: 'thumbnail',
            title: `${info!.classNames[label]} (image ${index})`,
            'data-index': String(index),
          },
          canvas,
        );
        item.addEventListener('click', () => setImage(index));
        return item;
      }),
    );
  }

  function republish(): void {
    const encoded = encodeState(state, INSIDE_SCHEMA);
    publish(encoded);
    trainLink.setAttribute('href', `#/train?${encodeState(trainStateOf(state), TRAIN_SCHEMA)}`);
    dirty = true;
  }

  root.append(
    el(
      'section',
      { class: 'view inside-view' },
      el(
        'div',
        { class: 'panel' },
        controls.node,
        el('h2', {}, 'Image'),
        el(
          'div',
          { class: 'picker' },
          button('‹', () => setImage(state.image - 1), { class: 'small', title: 'Previous image' }),
          imageInput,
          button('›', () => setImage(state.image + 1), { class: 'small', title: 'Next image' }),
        ),
        thumbnails,
        picked,
        status,
        trainLink,
      ),
      el(
        'div',
        { class: 'inside-stage' },
        el('h2', {}, 'Feature maps: every layer’s output for this image'),
        mapsSection,
        el('h2', {}, 'First layer’s weights'),
        weightsSection,
      ),
      el('div', { class: 'inside-charts' }, statsSection),
    ),
  );

  const unsubscribe = session.subscribe(() => (dirty = true));

  async function refreshInspection(): Promise<void> {
    inFlight = true;
    const step = session.steps;
    const answer = await session.inspect(state.image);
    inFlight = false;
    inspectedAt = performance.now();
    inspectedStep = step;
    inspection = answer.inspection;
    renderInspection(answer.reason);
  }

  function renderInspection(reason?: string): void {
    if (!inspection) {
      mapsSection.replaceChildren(
        el('p', { class: 'legend' }, `No feature maps: ${reason ?? 'nothing to inspect yet'}.`),
      );
      weightsSection.replaceChildren();
      picked.replaceChildren();
      root.dataset.maps = '0';
      return;
    }
    const { pixels, label, probabilities, maps, weights } = inspection;
    const names = session.images?.classNames ?? [];
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    const bars = el('div', { class: 'probabilities' });
    probabilities.forEach((p, k) =>
      bars.append(
        el(
          'div',
          { class: `bar${k === label ? ' truth' : ''}` },
          el('span', { class: 'bar-label' }, names[k] ?? String(k)),
          el('span', { class: 'bar-fill', style: `width: ${Math.round(100 * p)}px` }),
          el('span', { class: 'bar-value' }, `${(100 * p).toFixed(1)}%`),
        ),
      ),
    );
    picked.replaceChildren(
      tileCanvas(
        1,
        28,
        28,
        pixels,
        { columns: 1, scale: 4, colours: 'grey' },
        { 'data-testid': 'picked-image' },
      ),
      el(
        'p',
        {},
        `image ${inspection.index}: ${names[label] ?? label}; predicted ${names[predicted] ?? predicted}`,
        predicted === label ? ' ✓' : ' ✗',
      ),
      bars,
    );
    mapsSection.replaceChildren(
      ...maps.map((m) =>
        el(
          'figure',
          { class: 'map' },
          el('figcaption', {}, `${m.name} ${m.type} [${m.shape.join('×')}]`),
          featureMapCanvas(m.shape, m.values, MAP_WIDTH, {
            'data-testid': 'feature-map',
            'data-layer': m.name,
          }),
        ),
      ),
    );
    root.dataset.maps = String(maps.length);
    root.dataset.inspectedStep = String(inspectedStep);
    if (!weights) {
      weightsSection.replaceChildren();
      return;
    }
    const [units, ...rest] = weights.shape as [number, ...number[]];
    let canvas: HTMLCanvasElement;
    let caption: string;
    if (rest.length === 1 && rest[0] === 784) {
      canvas = tileCanvas(units, 28, 28, weights.values, {
        columns: Math.min(units, 16),
        scale: units <= 32 ? 2 : 1,
        colours: 'diverging',
      });
      caption = `${weights.name} Linear: each of the ${units} units’ 784 input weights as a 28×28 image (blue positive, orange negative)`;
    } else if (rest.length === 3) {
      const [inChannels, kh, kw] = rest as [number, number, number];
      // The kernels of the first input channel (the image is greyscale: the only one).
      const first = new Float32Array(units * kh * kw);
      for (let u = 0; u < units; u++)
        first.set(
          weights.values.subarray(u * inChannels * kh * kw, u * inChannels * kh * kw + kh * kw),
          u * kh * kw,
        );
      canvas = tileCanvas(units, kh, kw, first, {
        columns: Math.min(units, 16),
        scale: 10,
        colours: 'diverging',
      });
      caption = `${weights.name} Conv2d: the ${units} ${kh}×${kw} kernels (blue positive, orange negative)`;
    } else {
      canvas = featureMapCanvas([weights.values.length], weights.values, MAP_WIDTH);
      caption = `${weights.name} ${weights.type} [${weights.shape.join('×')}]`;
    }
    canvas.dataset.testid = 'first-weights';
    canvas.classList.add('weights-canvas');
    weightsSection.replaceChildren(el('figure', { class: 'map' }, el('figcaption', {}, caption), canvas));
  }

  // --- per-layer charts, rebuilt when the run's layers change
  let chartsFor: unknown = null;
  let charts: { canvas: HTMLCanvasElement; values: () => number[]; logY: boolean; title: string }[] = [];

  function buildCharts(): void {
    const history = session.layers;
    chartsFor = history;
    charts = [];
    if (!history) {
      statsSection.replaceChildren();
      return;
    }
    const group = (title: string, note: string, items: typeof charts) =>
      el('div', { class: 'stat-group' }, el('h2', { title: note }, title), ...items.map((c) => c.canvas));
    const make = (
      testid: string,
      name: string,
      type: string,
      values: () => number[],
      logY: boolean,
      title: string,
    ) => {
      const canvas = hiDpiCanvas(CHART_W, CHART_H, { 'data-testid': testid, 'data-layer': name });
      const chart = { canvas, values, logY, title: `${name} ${type}${title}` };
      charts.push(chart);
      return chart;
    };
    const grad = history.layers.weighted.map((l, i) =>
      make('grad-norm-chart', l.name, l.type, () => history.gradNorm[i]!, true, ''),
    );
    const update = history.layers.weighted.map((l, i) =>
      make('update-ratio-chart', l.name, l.type, () => history.updateRatio[i]!, true, ''),
    );
    const dead = history.layers.relus.map((l, i) =>
      make('dead-relu-chart', l.name, l.type, () => history.deadFraction[i]!, false, ''),
    );
    statsSection.replaceChildren(
      group('Gradient norm ‖∇θ‖', 'Per layer with weights, at every step, before the optimizer step', grad),
      group(
        'Update ratio ‖Δθ‖/‖θ‖',
        'How far each step moves a layer’s weights relative to their size; around 1e-3 is typical',
        update,
      ),
      group(
        'Dead ReLU units',
        'Fraction of a ReLU’s units that output 0 for every example of the batch',
        dead.length > 0 ? dead : [],
      ),
    );
    if (dead.length === 0)
      statsSection.lastElementChild!.append(el('p', { class: 'legend' }, 'No ReLU layers in this network.'));
  }

  let frame = 0;
  let drawnAt = -Infinity;
  const draw = (now: number) => {
    frame = requestAnimationFrame(draw);
    const due =
      !inFlight &&
      !session.loading &&
      session.setup !== null &&
      (staleImage || (session.steps !== inspectedStep && now - inspectedAt >= INSPECT_EVERY_MS));
    if (due) {
      staleImage = false;
      void refreshInspection();
    }
    if (!dirty || (session.playing && now - drawnAt < 150)) return;
    dirty = false;
    drawnAt = now;
    controls.update();
    root.dataset.playing = String(session.playing);
    root.dataset.steps = String(session.steps);
    if (session.error) status.textContent = `Training stopped: ${session.error}`;
    else if (session.loading) status.textContent = 'Loading the Fashion-MNIST subset…';
    else {
      const acc = session.curves.valAccuracy.at(-1) ?? NaN;
      status.textContent = `step ${session.steps}${session.done ? ' · done' : ''} · validation accuracy ${(100 * acc).toFixed(1)}%`;
    }
    if (session.layers !== chartsFor) buildCharts();
    if (session.images !== thumbnailsFor) renderThumbnails();
    for (const item of thumbnails.children) {
      item.classList.toggle('current', (item as HTMLElement).dataset.index === String(state.image));
    }
    let points = 0;
    for (const chart of charts) {
      const values = chart.values();
      points = Math.max(points, values.length);
      chart.canvas.dataset.points = String(values.length);
      chart.canvas.dataset.last = String(values.at(-1) ?? NaN);
      // Steps are counted from 1.
      const xs = Array.from(values, (_, i) => i + 1);
      drawChart(chart.canvas, [{ label: fmt(values.at(-1) ?? NaN), colour: '#0877bd', values, xs }], {
        title: chart.title,
        logY: chart.logY,
        yRange: chart.logY ? undefined : [0, 1],
        xLabel: 'step',
      });
    }
    root.dataset.statSteps = String(points);
  };

  republish();
  session.ensure(trainStateOf(state));
  draw(performance.now());
  return {
    destroy() {
      cancelAnimationFrame(frame);
      unsubscribe();
    },
  };
}
