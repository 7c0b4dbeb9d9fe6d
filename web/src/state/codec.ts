/**
 * Each view's whole state is one plain object, mirrored to the URL so that any setup is a shareable
 * link (after TensorFlow Playground's state.ts). A view declares its state interface, its defaults and
 * one codec per field; `encodeState` writes every field as `key=value` and `decodeState` reads them
 * back, validating each value: an unknown key or an invalid value is reported as a warning and the
 * field keeps its default, so an old or hand-edited link still opens.
 */

/** How one field of a state is written to and read from URL text. */
export interface FieldCodec<T> {
  /** The value as URL text (before percent-encoding). */
  encode(value: T): string;
  /** The value from URL text; throws an Error saying why the text is invalid. */
  decode(text: string): T;
}

/** One codec for every field of the state `S`. */
export type Schema<S> = { [K in keyof S]: FieldCodec<S[K]> };

/** What `decodeState` read: the state, and a warning for every field it ignored or could not read. */
export interface Decoded<S> {
  /** The defaults overridden by every valid field of the query. */
  state: S;
  /** One line per unknown key or invalid value, for `console.warn`. */
  warnings: string[];
}

/** A finite number in [min, max], optionally an integer. */
export function numberField(
  options: { min?: number; max?: number; integer?: boolean } = {},
): FieldCodec<number> {
  const { min = -Infinity, max = Infinity, integer = false } = options;
  return {
    encode: (value) => String(value),
    decode(text) {
      const value = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) throw new Error(`'${text}' is not a number`);
      if (integer && !Number.isInteger(value)) throw new Error(`'${text}' is not an integer`);
      if (value < min || value > max) throw new Error(`${value} is outside [${min}, ${max}]`);
      return value;
    },
  };
}

/** One of a fixed list of names. */
export function choiceField<T extends string>(choices: readonly T[]): FieldCodec<T> {
  return {
    encode: (value) => value,
    decode(text) {
      if (!(choices as readonly string[]).includes(text)) {
        throw new Error(`'${text}' is not one of ${choices.join(', ')}`);
      }
      return text as T;
    },
  };
}

/** true or false (also read: 1 and 0). */
export function booleanField(): FieldCodec<boolean> {
  return {
    encode: (value) => (value ? 'true' : 'false'),
    decode(text) {
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw new Error(`'${text}' is not true or false`);
    },
  };
}

/** A list of items separated by `separator`; `min`/`max` bound its length. */
export function listField<T>(
  item: FieldCodec<T>,
  options: { separator?: string; min?: number; max?: number } = {},
): FieldCodec<T[]> {
  const { separator = ',', min = 0, max = Infinity } = options;
  return {
    encode: (values) => values.map((v) => item.encode(v)).join(separator),
    decode(text) {
      const parts = text === '' ? [] : text.split(separator);
      if (parts.length < min || parts.length > max) {
        throw new Error(`needs ${min === max ? min : `${min} to ${max}`} items, got ${parts.length}`);
      }
      return parts.map((part, i) => {
        try {
          return item.decode(part);
        } catch (error) {
          throw new Error(`item ${i + 1}: ${(error as Error).message}`);
        }
      });
    },
  };
}

// Percent-encode what would break `key=value&...`, but keep the characters of the compact specs
// (`adam:lr=0.01|sched=cosine`) readable in the address bar.
const KEEP = { '%3A': ':', '%2C': ',', '%40': '@', '%2F': '/', '%7C': '|', '%3D': '=', '%3B': ';' };

function escapeValue(text: string): string {
  return encodeURIComponent(text).replace(
    /%3A|%2C|%40|%2F|%7C|%3D|%3B/g,
    (m) => KEEP[m as keyof typeof KEEP],
  );
}

/** The state as a query string `key=value&...`, every field in the schema's order. */
export function encodeState<S extends object>(state: S, schema: Schema<S>): string {
  return (Object.keys(schema) as (keyof S & string)[])
    .map((key) => `${encodeURIComponent(key)}=${escapeValue(schema[key].encode(state[key]))}`)
    .join('&');
}

/**
 * The state from a query string: `defaults` overridden by each valid `key=value`. Keys not in the
 * schema, values that do not decode and repeated keys give warnings and change nothing.
 */
export function decodeState<S extends object>(query: string, schema: Schema<S>, defaults: S): Decoded<S> {
  const state = structuredClone(defaults);
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const pair of query.replace(/^[?#]/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let text: string;
    try {
      key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      text = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      warnings.push(`ignoring '${pair}': bad percent-encoding`);
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(schema, key)) {
      warnings.push(`ignoring unknown field '${key}'`);
      continue;
    }
    if (seen.has(key)) {
      warnings.push(`ignoring a second value for '${key}'`);
      continue;
    }
    seen.add(key);
    try {
      state[key as keyof S] = schema[key as keyof S].decode(text);
    } catch (error) {
      warnings.push(`ignoring ${key}=${text}: ${(error as Error).message}; keeping the default`);
    }
  }
  return { state, warnings };
}
