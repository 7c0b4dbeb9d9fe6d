/** Small helpers to build the controls: an element factory and labelled inputs that report changes. */

type Child = Node | string | null | undefined | false;

/** An element with attributes (`class`, `title`, `data-*`, ...) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** A caption above a control. */
export function field(label: string, control: HTMLElement, title?: string): HTMLLabelElement {
  return el('label', { class: 'field', title }, el('span', { class: 'field-label' }, label), control);
}

/** A menu of `choices`, calling `onChange` with the chosen value. */
export function select<T extends string>(
  choices: readonly T[],
  value: T,
  onChange: (value: T) => void,
  attributes: Record<string, string> = {},
  labels: Partial<Record<T, string>> = {},
): HTMLSelectElement {
  const node = el('select', attributes);
  for (const choice of choices) {
    node.append(el('option', { value: choice, selected: choice === value }, labels[choice] ?? choice));
  }
  node.addEventListener('change', () => onChange(node.value as T));
  return node;
}

/**
 * A number box. `onChange` gets valid values only (finite, within [min, max]); an invalid entry is
 * marked and left for the user to fix.
 */
export function numberInput(
  value: number,
  onChange: (value: number) => void,
  options: { min?: number; max?: number; step?: number | 'any'; integer?: boolean } & Record<
    string,
    unknown
  > = {},
): HTMLInputElement {
  const { min, max, step = 'any', integer = false, ...rest } = options;
  const node = el('input', {
    type: 'number',
    value: String(value),
    min,
    max,
    step,
    ...(rest as Record<string, string>),
  });
  node.addEventListener('change', () => {
    const v = node.value.trim() === '' ? NaN : Number(node.value);
    const ok =
      Number.isFinite(v) &&
      (!integer || Number.isInteger(v)) &&
      (min === undefined || v >= min) &&
      (max === undefined || v <= max);
    node.classList.toggle('invalid', !ok);
    if (ok) onChange(v);
  });
  return node;
}

/** A button. */
export function button(
  label: string,
  onClick: () => void,
  attributes: Record<string, string> = {},
): HTMLButtonElement {
  const node = el('button', { type: 'button', ...attributes }, label);
  node.addEventListener('click', onClick);
  return node;
}

/** A canvas whose backing store follows the device pixel ratio; draw in CSS pixels. */
export function hiDpiCanvas(
  width: number,
  height: number,
  attributes: Record<string, string> = {},
): HTMLCanvasElement {
  const canvas = el('canvas', attributes);
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.getContext('2d')!.scale(ratio, ratio);
  return canvas;
}

/** Formats a number compactly: 0.0123, 1.23e-5, 12.3. */
export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5))
    return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}
