/**
 * Option checks shared by the pure schedules and the scheduler classes. Every message names who
 * complained, the option and the valid range, and shows the value given, e.g.
 * "OneCycleLR: totalSteps must be a positive integer, got 0".
 */

/** A value as it should appear in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(who: string, name: string, what: string, value: unknown): never {
  throw new RangeError(`${who}: ${name} must be ${what}, got ${show(value)}`);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A finite number. */
export function checkFinite(who: string, name: string, value: unknown): number {
  if (!isNumber(value)) fail(who, name, 'a finite number', value);
  return value;
}

/** An integer ≥ 1 (a number of steps). */
export function checkPositiveInt(who: string, name: string, value: unknown): number {
  if (!isNumber(value) || !Number.isInteger(value) || value < 1) fail(who, name, 'a positive integer', value);
  return value;
}

/** An integer ≥ 0. */
export function checkNonNegativeInt(who: string, name: string, value: unknown): number {
  if (!isNumber(value) || !Number.isInteger(value) || value < 0) {
    fail(who, name, 'a non-negative integer', value);
  }
  return value;
}

/** A finite number > 0. */
export function checkPositive(who: string, name: string, value: unknown): number {
  if (!isNumber(value) || value <= 0) fail(who, name, 'a positive number', value);
  return value;
}

/** A finite number ≥ 0. */
export function checkNonNegative(who: string, name: string, value: unknown): number {
  if (!isNumber(value) || value < 0) fail(who, name, 'a non-negative number', value);
  return value;
}

/**
 * A number in an interval; `open` makes the lower (`'low'`), upper (`'high'`) or both ends
 * exclusive, and the message writes the interval the same way: (0, 1], [0, 1), ...
 */
export function checkInterval(
  who: string,
  name: string,
  value: unknown,
  low: number,
  high: number,
  open: 'none' | 'low' | 'high' | 'both' = 'none',
): number {
  const lowOpen = open === 'low' || open === 'both';
  const highOpen = open === 'high' || open === 'both';
  const ok =
    isNumber(value) && (lowOpen ? value > low : value >= low) && (highOpen ? value < high : value <= high);
  if (!ok) fail(who, name, `a number in ${lowOpen ? '(' : '['}${low}, ${high}${highOpen ? ')' : ']'}`, value);
  return value as number;
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(
  who: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(who, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** A boolean. */
export function checkBoolean(who: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(who, name, 'true or false', value);
  return value;
}

/** Strictly increasing non-negative integers (milestones). */
export function checkIncreasingSteps(who: string, name: string, value: unknown): number[] {
  const ok =
    Array.isArray(value) &&
    value.every((v, i) => isNumber(v) && Number.isInteger(v) && v >= 0 && (i === 0 || v > value[i - 1]));
  if (!ok) fail(who, name, 'a strictly increasing list of non-negative integers', value);
  return [...(value as number[])];
}

/**
 * A per-group option (PyTorch's `_format_param`): one value for every group, or a list with one
 * value per group; each value passes `check`.
 */
export function perGroup(
  who: string,
  name: string,
  value: unknown,
  groups: number,
  check: (who: string, name: string, value: unknown) => number,
): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new RangeError(
        `${who}: ${name} must have one value per parameter group (${groups}), got ${value.length}: ${show(value)}`,
      );
    }
    return value.map((v, i) => check(who, `${name}[${i}]`, v));
  }
  const single = check(who, name, value);
  return Array.from({ length: groups }, () => single);
}

/** Index of the first element greater than `x` in a sorted list (Python's bisect_right). */
export function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
