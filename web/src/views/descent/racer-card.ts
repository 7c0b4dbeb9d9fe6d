/** One racer's card: its optimizer and hyperparameters, schedule and switch, status and loss chart. */
import { optim } from '../../../../src/browser.js';
import {
  checkRacer,
  editableOptions,
  optionValue,
  type OptionValue,
  type RacerSpec,
} from '../../engine/racer.js';
import { SCHEDULE_PRESETS, SCHEDULE_SUMMARIES } from '../../engine/schedules.js';
import { drawChart } from '../../ui/chart.js';
import { racerColour } from '../../ui/colours.js';
import { button, el, field, fmt, hiDpiCanvas, numberInput, select } from '../../ui/dom.js';

/** What the view keeps of a racer's run. */
export interface RacerRun {
  xs: number[];
  ys: number[];
  losses: number[];
  lrs: number[];
  activeName: string;
  done: boolean;
  error?: string;
}

export interface RacerCardHandlers {
  /** The spec changed (a copy); `rebuild` when the card must be redrawn (a new optimizer). */
  change(spec: RacerSpec, rebuild: boolean): void;
  remove(): void;
}

const CHART_W = 236;
const CHART_H = 64;

/** A short name: 'adam lr 0.05', 'sgd+m lr 0.0005', with its schedule and switch. */
export function racerLabel(spec: RacerSpec): string {
  const lr = optionValue(spec, 'lr');
  const momentum = spec.options.momentum;
  let label = `${spec.optimizer}${typeof momentum === 'number' && momentum > 0 ? '+m' : ''} lr ${fmt(lr as number)}`;
  if (spec.schedule !== 'none') label += ` · ${spec.schedule}`;
  if (spec.switchTo !== '') label += ` → ${spec.switchTo.split(/[@:]/)[0]}`;
  return label;
}

export class RacerCard {
  readonly element: HTMLElement;
  private readonly chart: HTMLCanvasElement;
  private readonly status: HTMLElement;
  private readonly problem: HTMLElement;

  constructor(
    private readonly index: number,
    private spec: RacerSpec,
    private readonly handlers: RacerCardHandlers,
    canRemove: boolean,
  ) {
    const colour = racerColour(index);
    this.chart = hiDpiCanvas(CHART_W, CHART_H, { class: 'racer-chart' });
    this.status = el('div', { class: 'racer-status', 'data-testid': `racer-status-${index}` }, 'waiting');
    this.problem = el('div', { class: 'racer-problem' });
    const optimizerMenu = select(optim.OPTIMIZER_NAMES, spec.optimizer, (name) =>
      this.handlers.change(
        { optimizer: name, options: {}, schedule: spec.schedule, switchTo: spec.switchTo },
        true,
      ),
    );
    const head = el(
      'div',
      { class: 'racer-head' },
      el('span', { class: 'swatch', style: `background:${colour}` }),
      el('strong', { class: 'racer-label' }, racerLabel(spec)),
      canRemove
        ? button('×', () => this.handlers.remove(), { class: 'remove', title: 'Remove this racer' })
        : null,
    );
    const options = el('div', { class: 'racer-options' }, field('optimizer', optimizerMenu));
    for (const [key] of editableOptions(spec.optimizer)) options.append(this.optionControl(key));
    const scheduleMenu = select(SCHEDULE_PRESETS, spec.schedule, (schedule) => {
      scheduleMenu.title = SCHEDULE_SUMMARIES[schedule];
      this.apply({ ...this.spec, schedule });
    });
    scheduleMenu.title = SCHEDULE_SUMMARIES[spec.schedule];
    options.append(
      field('schedule', scheduleMenu, 'Learning-rate schedule over the race'),
      field(
        'switch',
        this.switchControl(),
        "Switch to another optimizer after some steps, e.g. 'sgd@200s:lr=0.001'",
      ),
    );
    options.lastElementChild!.classList.add('wide');
    this.element = el(
      'div',
      { class: 'racer', style: `border-left-color:${colour}`, 'data-testid': `racer-${index}` },
      head,
      options,
      this.problem,
      this.status,
      this.chart,
    );
  }

  private apply(spec: RacerSpec): boolean {
    try {
      checkRacer(spec);
    } catch (error) {
      this.problem.textContent = (error as Error).message;
      return false;
    }
    this.problem.textContent = '';
    this.spec = spec;
    this.handlers.change(spec, false);
    this.element.querySelector('.racer-label')!.textContent = racerLabel(spec);
    return true;
  }

  private setOption(key: string, value: OptionValue): void {
    const defaults = optim.OPTIMIZERS[this.spec.optimizer].defaults as Record<string, OptionValue>;
    const options = { ...this.spec.options };
    if (JSON.stringify(defaults[key]) === JSON.stringify(value)) delete options[key];
    else options[key] = value;
    this.apply({ ...this.spec, options });
  }

  private optionControl(key: string): HTMLElement {
    const value = optionValue(this.spec, key)!;
    if (typeof value === 'boolean') {
      const box = el('input', { type: 'checkbox', checked: value });
      box.addEventListener('change', () => this.setOption(key, box.checked));
      return field(key, box);
    }
    if (Array.isArray(value)) {
      const pair = [...value];
      const boxes = pair.map((v, i) =>
        numberInput(v, (next) => {
          pair[i] = next;
          this.setOption(key, [...pair]);
        }),
      );
      const pairField = field(key, el('span', { class: 'pair' }, ...boxes));
      pairField.classList.add('wide');
      return pairField;
    }
    return field(
      key,
      numberInput(value, (next) => this.setOption(key, next), { 'data-option': key }),
    );
  }

  private switchControl(): HTMLInputElement {
    const input = el('input', {
      type: 'text',
      value: this.spec.switchTo,
      placeholder: 'e.g. sgd@200s:lr=0.001',
    });
    input.addEventListener('change', () => {
      const ok = this.apply({ ...this.spec, switchTo: input.value.trim() });
      input.classList.toggle('invalid', !ok);
    });
    return input;
  }

  /** Shows a run's progress: the status line, data attributes for tests, and the loss chart. */
  show(run: RacerRun, steps: number): void {
    const n = run.losses.length;
    const first = run.losses[0];
    const last = run.losses[n - 1];
    this.element.dataset.firstLoss = String(first ?? '');
    this.element.dataset.lastLoss = String(last ?? '');
    this.element.dataset.done = String(run.done);
    if (run.error !== undefined) this.element.dataset.error = run.error;
    else delete this.element.dataset.error;
    const lr = run.lrs[n - 1];
    this.status.textContent =
      n === 0
        ? (run.error ?? 'waiting')
        : `step ${Math.max(0, n - 1)}/${steps} · loss ${fmt(first!)} → ${fmt(last!)}` +
          (lr !== undefined && Number.isFinite(lr) ? ` · lr ${fmt(lr)}` : '') +
          (run.activeName ? ` · ${run.activeName}` : '') +
          (run.error ? ` · ${run.error}` : '');
    this.status.classList.toggle('error', run.error !== undefined);
    drawChart(this.chart, [{ label: '', colour: darker(racerColour(this.index)), values: run.losses }], {
      logY: run.losses.every((v) => v > 0),
      title: 'loss per step',
      background: '#fafafa',
    });
  }
}

/** White and yellow racer colours are unreadable on the chart's white: darken them there. */
function darker(colour: string): string {
  return colour === '#ffffff' ? '#444444' : colour === '#ffd23f' ? '#c9a000' : colour;
}
