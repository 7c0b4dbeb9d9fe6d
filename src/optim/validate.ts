/**
 * Checks on optimizer options, with errors that name the optimizer, the option, the valid range and
 * the value given, e.g. "Adam: betas[0] must be in [0, 1), got 1.2".
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return String(value);
}

/**
 * Checks that `value` is a number in an interval written in the usual notation: '[0, 1)',
 * '[0, ∞)', '(0, 1]', '(1, ∞)'.
 */
export function checkInterval(owner: string, option: string, value: unknown, interval: string): number {
  const match = /^([[(])\s*(-?∞|[^,\s]+)\s*,\s*(-?∞|[^\])\s]+)\s*([\])])$/.exec(interval);
  if (!match) throw new Error(`checkInterval: cannot read the interval '${interval}'`);
  const [, open, lowText, highText, close] = match;
  const parse = (text: string) => (text === '∞' ? Infinity : text === '-∞' ? -Infinity : Number(text));
  const low = parse(lowText!);
  const high = parse(highText!);
  if (typeof value !== 'number') {
    throw new TypeError(`${owner}: ${option} must be a number in ${interval}, got ${show(value)}`);
  }
  const aboveLow = open === '[' ? value >= low : value > low;
  const belowHigh = close === ']' ? value <= high : value < high;
  if (!(aboveLow && belowHigh)) {
    throw new RangeError(`${owner}: ${option} must be in ${interval}, got ${show(value)}`);
  }
  return value;
}

export function checkBoolean(owner: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`${owner}: ${option} must be true or false, got ${show(value)}`);
  return value;
}

/** A pair such as betas, etas or stepSizes: an array of exactly two numbers. */
export function checkPair(owner: string, option: string, value: unknown): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new TypeError(`${owner}: ${option} must be a pair of numbers [a, b], got ${show(value)}`);
  }
  return value as unknown as readonly [number, number];
}

/** betas (β₁, β₂), each in [0, 1). */
export function checkBetas(owner: string, value: unknown, option = 'betas'): void {
  const [b1, b2] = checkPair(owner, option, value);
  checkInterval(owner, `${option}[0]`, b1, '[0, 1)');
  checkInterval(owner, `${option}[1]`, b2, '[0, 1)');
}

/** The learning rate, which must not be negative. */
export function checkLr(owner: string, value: unknown): void {
  checkInterval(owner, 'lr', value, '[0, ∞)');
}

/** Rejects options the optimizer does not have, listing those it does (catches snake_case too). */
export function checkKnownOptions(
  owner: string,
  given: Readonly<Record<string, unknown>>,
  known: readonly string[],
  where = 'option',
): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = camel !== key && known.includes(camel) ? ` (did you mean '${camel}'?)` : '';
      throw new RangeError(
        `${owner}: unknown ${where} '${key}'${hint}; valid options are ${known.join(', ')}`,
      );
    }
  }
}
