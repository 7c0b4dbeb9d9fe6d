/**
 * A strict JSON reader (RFC 8259) for configuration files, written for its errors: every problem
 * names the line and column where it is (JSON.parse in Node 20 gives neither), duplicate keys are
 * refused rather than silently overwritten, and nesting deeper than `maxDepth` is an error rather
 * than a stack overflow. Values come back as plain JSON values; numbers beyond float64 parse as
 * ±Infinity, for the schema to refuse with a message about the field.
 */

export class JsonTextError extends Error {
  override name = 'JsonTextError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonTextOptions {
  /** The deepest nesting of arrays and objects accepted (default 64). */
  maxDepth?: number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Parses `text` as one JSON value; a leading byte-order mark is skipped. */
export function parseJsonText(text: string, options: JsonTextOptions = {}): JsonValue {
  const maxDepth = options.maxDepth ?? 64;
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (message: string, where = at): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < where && i < text.length; i++) {
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonTextError(message, line, where - lineStart + 1);
  };
  const describe = (i: number): string =>
    i >= text.length ? 'the end of the text' : `'${text[i] === '\n' ? '\\n' : text[i]}'`;
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const expect = (c: string, what: string): void => {
    skipSpace();
    if (text[at] !== c) fail(`expected ${what}, found ${describe(at)}`);
    at++;
  };

  const parseString = (): string => {
    const start = at;
    at++; // the opening quote
    let out = '';
    for (;;) {
      if (at >= text.length) fail('unterminated string', start);
      const c = text[at]!;
      if (c === '"') {
        at++;
        return out;
      }
      if (c === '\\') {
        const e = text[at + 1];
        if (e === 'u') {
          const hex = text.slice(at + 2, at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape (four hex digits expected)');
          out += String.fromCharCode(parseInt(hex, 16));
          at += 6;
        } else if (e !== undefined && ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          at += 2;
        } else fail(`bad escape '\\${e ?? ''}' in a string`);
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail('control character in a string (escape it, e.g. \\n)');
      out += c;
      at++;
    }
  };

  const parseValue = (depth: number): JsonValue => {
    skipSpace();
    const c = text[at];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) fail(`nested deeper than ${maxDepth} levels`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return parseString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value;
      }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = at;
      const m = NUMBER.exec(text);
      if (m === null) fail(`bad number`);
      at += m![0].length;
      if (at < text.length && /[0-9.eE+-]/.test(text[at]!)) fail('bad number');
      return Number(m![0]);
    }
    if (c === "'") return fail('strings take double quotes in JSON');
    return fail(`expected a value, found ${describe(at)}`);
  };

  const parseArray = (depth: number): JsonValue[] => {
    at++; // '['
    const out: JsonValue[] = [];
    skipSpace();
    if (text[at] === ']') {
      at++;
      return out;
    }
    for (;;) {
      out.push(parseValue(depth));
      skipSpace();
      if (text[at] === ',') {
        at++;
        skipSpace();
        if (text[at] === ']') fail('trailing comma before ]');
        continue;
      }
      if (text[at] === ']') {
        at++;
        return out;
      }
      fail(`expected ',' or ']' in an array, found ${describe(at)}`);
    }
  };

  const parseObject = (depth: number): { [key: string]: JsonValue } => {
    at++; // '{'
    // A null prototype: a key such as "__proto__" is data, never the object's prototype.
    const out = Object.create(null) as { [key: string]: JsonValue };
    skipSpace();
    if (text[at] === '}') {
      at++;
      return out;
    }
    for (;;) {
      skipSpace();
      const keyAt = at;
      if (text[at] !== '"') fail(`expected a key in double quotes, found ${describe(at)}`);
      const key = parseString();
      if (Object.hasOwn(out, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      expect(':', "':' after the key");
      out[key] = parseValue(depth);
      skipSpace();
      if (text[at] === ',') {
        at++;
        skipSpace();
        if (text[at] === '}') fail('trailing comma before }');
        continue;
      }
      if (text[at] === '}') {
        at++;
        return out;
      }
      fail(`expected ',' or '}' in an object, found ${describe(at)}`);
    }
  };

  skipSpace();
  if (at >= text.length) fail('the file is empty (expected a JSON object)');
  const value = parseValue(0);
  skipSpace();
  if (at < text.length) fail(`unexpected ${describe(at)} after the JSON value`);
  return value;
}
