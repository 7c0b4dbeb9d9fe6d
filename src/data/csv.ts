// CSV files as datasets: an RFC 4180 parser (quoted fields, doubled quotes, CRLF, line breaks inside
// quotes) and a loader that turns the chosen columns into float features and a class label. Parsing
// is pure; only loadCsvDataset reads a file (through a dynamic import, so browsers can use the rest).
import { checkIndex, type Dataset, type TensorSample } from './dataset.js';

/** One parsed record: its fields and the line it starts on (1-based), for error messages. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

export interface CsvParseOptions {
  /** The field separator, one character (default ','). */
  delimiter?: string;
  /** The file name to start error messages with (default 'csv'). */
  source?: string;
}

/**
 * Parses CSV text into records (RFC 4180): fields separated by `delimiter`, records by CRLF, LF or CR;
 * a field in double quotes may hold delimiters, line breaks and doubled quotes (`""` for `"`). A
 * leading byte-order mark is skipped, and so are empty lines. Errors name the source and line:
 * `data.csv:4: unterminated quoted field (the quote opens on this line)`.
 */
export function parseCsv(text: string, options: CsvParseOptions = {}): CsvRecord[] {
  const { delimiter = ',', source = 'csv' } = options;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`${source}: the delimiter must be one character other than a quote or a line break, got '${delimiter}'`);
  }
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let endOfRecord = false;
    // An empty line is no record (a trailing newline, or blank lines between records).
    if (text[i] === '\n' || text[i] === '\r') {
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    while (!endOfRecord) {
      let field = '';
      if (text[i] === '"') {
        const openLine = line;
        i++;
        while (true) {
          if (i >= n) throw new Error(`${source}:${openLine}: unterminated quoted field (the quote opens on this line)`);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          field += ch;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          throw new Error(
            `${source}:${line}: field ${fields.length + 1}: unexpected ${describe(text[i]!)} after a closing quote ` +
              `(a quote inside a quoted field must be doubled: "")`,
          );
        }
      } else {
        const start = i;
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') {
            throw new Error(
              `${source}:${line}: field ${fields.length + 1}: a quote inside an unquoted field ` +
                `(quote the whole field and double the quote: "a ""b"" c")`,
            );
          }
          i++;
        }
        field = text.slice(start, i);
      }
      fields.push(field);
      if (i >= n) {
        endOfRecord = true;
      } else if (text[i] === delimiter) {
        i++;
        // A delimiter at the very end of the text or line ends with an empty field.
        if (i >= n || text[i] === '\n' || text[i] === '\r') fields.push('');
        if (i >= n) endOfRecord = true;
        else if (text[i] === '\n' || text[i] === '\r') endOfRecord = true;
      } else {
        endOfRecord = true;
      }
    }
    if (i < n && (text[i] === '\n' || text[i] === '\r')) {
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    }
    records.push({ fields, line: recordLine });
  }
  return records;
}

function describe(ch: string): string {
  return ch === '"' ? 'quote' : `character '${ch}'`;
}

/** A column by name (needs a header) or by 0-based index. */
export type CsvColumn = string | number;

export interface CsvDatasetOptions {
  /** The column holding the class (default: the last column). */
  labelColumn?: CsvColumn;
  /** The first record names the columns (default true). */
  header?: boolean;
  /** Field separator (default ','). */
  delimiter?: string;
  /** The feature columns, in order (default: every column but the label). */
  featureColumns?: readonly CsvColumn[];
}

/**
 * A CSV file as a classification dataset: sample `i` is `{ input: Float32Array of the feature
 * columns, shape: [features], label }`. Labels that are all non-negative integers are used as class
 * indices (`classes` = '0'...'max'); otherwise the distinct label strings, sorted, become the
 * classes (as scikit-learn's LabelEncoder does).
 */
export class CsvDataset implements Dataset<TensorSample> {
  constructor(
    /** `length * featureNames.length` values, row-major. */
    readonly features: Float32Array,
    readonly labels: Int32Array,
    readonly featureNames: string[],
    readonly classes: string[],
    /** The file the data came from. */
    readonly source: string,
  ) {}

  get length(): number {
    return this.labels.length;
  }

  get(index: number): TensorSample {
    checkIndex(index, this.labels.length, 'CsvDataset.get');
    const f = this.featureNames.length;
    return { input: this.features.slice(index * f, (index + 1) * f), shape: [f], label: this.labels[index]! };
  }
}

/**
 * Builds a {@link CsvDataset} from CSV text. Every error names the source and line, and for bad values
 * the column and the value: `iris.csv:17: column 'petal_width' is 'abc', expected a number`.
 *
 * @example
 * const iris = csvDataset(text, 'iris.csv', { labelColumn: 'species' });
 */
export function csvDataset(text: string, source: string, options: CsvDatasetOptions = {}): CsvDataset {
  const { header = true, delimiter = ',' } = options;
  const records = parseCsv(text, { delimiter, source });
  if (records.length === 0) throw new Error(`${source}: the file holds no records`);
  const width = records[0]!.fields.length;
  const names = header ? records[0]!.fields.map((name) => name.trim()) : records[0]!.fields.map((_, i) => `column ${i}`);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new Error(`${source}: the file has a header but no data rows`);
  const quoteName = (c: number): string => (header ? `'${names[c]}'` : `${c}`);

  const resolve = (column: CsvColumn, role: string): number => {
    if (typeof column === 'number') {
      if (!Number.isInteger(column) || column < 0 || column >= width) {
        throw new Error(`${source}: ${role} column ${column} is out of range: the file has ${width} columns (0..${width - 1})`);
      }
      return column;
    }
    if (!header) throw new Error(`${source}: ${role} column '${column}' is a name, but header is false: use a 0-based index`);
    const index = names.indexOf(column);
    if (index < 0) throw new Error(`${source}: no ${role} column '${column}'; the columns are ${names.map((n) => `'${n}'`).join(', ')}`);
    return index;
  };
  const labelIndex = resolve(options.labelColumn ?? width - 1, 'label');
  const featureIndices =
    options.featureColumns === undefined
      ? names.map((_, i) => i).filter((i) => i !== labelIndex)
      : options.featureColumns.map((c) => resolve(c, 'feature'));
  if (featureIndices.length === 0) throw new Error(`${source}: no feature columns: the file has only the label column`);
  if (featureIndices.includes(labelIndex)) throw new Error(`${source}: column ${quoteName(labelIndex)} is both the label and a feature`);

  const f = featureIndices.length;
  const features = new Float32Array(rows.length * f);
  const labelText: string[] = [];
  rows.forEach((record, r) => {
    if (record.fields.length !== width) {
      throw new Error(
        `${source}:${record.line}: expected ${width} fields (as in ${header ? 'the header' : 'the first line'}), found ${record.fields.length}`,
      );
    }
    featureIndices.forEach((c, k) => {
      const text = record.fields[c]!;
      const value = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) {
        throw new Error(`${source}:${record.line}: column ${quoteName(c)} is '${text}', expected a number`);
      }
      features[r * f + k] = value;
    });
    const label = record.fields[labelIndex]!.trim();
    if (label === '') throw new Error(`${source}:${record.line}: column ${quoteName(labelIndex)} (the label) is empty`);
    labelText.push(label);
  });

  let classes: string[];
  let labels: Int32Array;
  if (labelText.every((l) => /^\d+$/.test(l) && Number(l) <= 0x7fffffff)) {
    labels = Int32Array.from(labelText, Number);
    const max = labels.reduce((a, b) => Math.max(a, b), 0);
    if (max >= 1 << 20) {
      throw new Error(`${source}: label ${max} is too large for a class index (at most ${(1 << 20) - 1})`);
    }
    classes = Array.from({ length: max + 1 }, (_, i) => String(i));
  } else {
    classes = [...new Set(labelText)].sort();
    const lookup = new Map(classes.map((name, i) => [name, i]));
    labels = Int32Array.from(labelText, (l) => lookup.get(l)!);
  }
  return new CsvDataset(features, labels, featureIndices.map((c) => names[c]!), classes, source);
}

/**
 * Reads a CSV file as a classification dataset (see {@link csvDataset}); errors start with the path.
 *
 * @example
 * const iris = await loadCsvDataset('iris.csv', { labelColumn: 'species' });
 * iris.get(0); // { input: Float32Array [5.1, 3.5, 1.4, 0.2], shape: [4], label: 0 }
 */
export async function loadCsvDataset(path: string, options: CsvDatasetOptions = {}): Promise<CsvDataset> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the file: ${(error as Error).message}`);
  }
  return csvDataset(text, path, options);
}
