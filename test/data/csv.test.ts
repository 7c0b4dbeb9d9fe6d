import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { csvDataset, loadCsvDataset, parseCsv } from '../../src/data/csv.js';

const fields = (text: string, delimiter?: string): string[][] =>
  parseCsv(text, delimiter === undefined ? {} : { delimiter }).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits fields and records, with LF, CRLF or CR line ends and an optional final newline', () => {
    assert.deepEqual(fields('a,b\n1,2\n'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
    assert.deepEqual(fields('a,b\r\n1,2'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
    assert.deepEqual(fields('a,b\r1,2\r'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
    assert.deepEqual(fields('a;b\n1;2', ';'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('reads quoted fields with delimiters, line breaks and doubled quotes', () => {
    assert.deepEqual(fields('"a,b","say ""hi""","line\r\nbreak",plain\n'), [['a,b', 'say "hi"', 'line\r\nbreak', 'plain']]);
    assert.deepEqual(fields('"",x'), [['', 'x']]);
  });

  it('keeps empty fields, skips empty lines and a byte-order mark', () => {
    assert.deepEqual(fields('\ufeffa,,c,\n\n\n1,2,3,4\n'), [
      ['a', '', 'c', ''],
      ['1', '2', '3', '4'],
    ]);
    assert.deepEqual(fields(''), []);
  });

  it('records the line each record starts on, counting line breaks inside quotes', () => {
    const records = parseCsv('a\n"x\ny"\n\nb\r\nc');
    assert.deepEqual(
      records.map((r) => r.line),
      [1, 2, 5, 6],
    );
  });

  it('reports malformed quoting with the source and line', () => {
    assert.throws(() => parseCsv('a,b\n1,"open\n2,3', { source: 'd.csv' }), /^Error: d\.csv:2: unterminated quoted field/);
    assert.throws(() => parseCsv('a\n"x"y', { source: 'd.csv' }), /d\.csv:2: field 1: unexpected character 'y' after a closing quote/);
    assert.throws(() => parseCsv('a,b"c', { source: 'd.csv' }), /d\.csv:1: field 2: a quote inside an unquoted field/);
    assert.throws(() => parseCsv('a', { delimiter: '"' }), /the delimiter must be one character/);
  });
});

const IRIS = [
  'sepal_length,sepal_width,petal_length,petal_width,species',
  '5.1,3.5,1.4,0.2,setosa',
  '7.0,3.2,4.7,1.4,versicolor',
  '6.3,3.3,6.0,2.5,virginica',
  '4.9,3.0,1.4,0.2,setosa',
].join('\r\n');

describe('csvDataset', () => {
  it('turns the feature columns into float32 inputs and the label column into sorted class indices', () => {
    const iris = csvDataset(IRIS, 'iris.csv');
    assert.equal(iris.length, 4);
    assert.deepEqual(iris.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepEqual(iris.classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(Array.from(iris.labels), [0, 1, 2, 0]);
    assert.deepEqual(iris.get(1), { input: Float32Array.of(7.0, 3.2, 4.7, 1.4), shape: [4], label: 1 });
  });

  it('selects the label and feature columns by name or index', () => {
    const picked = csvDataset(IRIS, 'iris.csv', { labelColumn: 'species', featureColumns: ['petal_width', 0] });
    assert.deepEqual(picked.featureNames, ['petal_width', 'sepal_length']);
    assert.deepEqual(Array.from(picked.get(0).input), [0.2, 5.1].map(Math.fround));
    const headerless = csvDataset('1;2;0\n3;4;2\n', 'n.csv', { header: false, delimiter: ';', labelColumn: 2 });
    assert.deepEqual(headerless.classes, ['0', '1', '2'], 'integer labels are class indices');
    assert.deepEqual(Array.from(headerless.labels), [0, 2]);
    assert.deepEqual(headerless.featureNames, ['column 0', 'column 1']);
  });

  it('names the file, line, column and value of a bad number', () => {
    const bad = IRIS.replace('2.5', 'abc');
    assert.throws(() => csvDataset(bad, 'iris.csv'), {
      message: "iris.csv:4: column 'petal_width' is 'abc', expected a number",
    });
    assert.throws(() => csvDataset('1,,0\n', 'n.csv', { header: false }), { message: "n.csv:1: column 1 is '', expected a number" });
  });

  it('names the problem with columns, field counts and empty files', () => {
    assert.throws(() => csvDataset(IRIS, 'iris.csv', { labelColumn: 'kind' }), /iris\.csv: no label column 'kind'; the columns are 'sepal_length', /);
    assert.throws(() => csvDataset(IRIS, 'iris.csv', { featureColumns: [9] }), /feature column 9 is out of range: the file has 5 columns/);
    assert.throws(() => csvDataset(IRIS + '\r\n1,2,3,setosa', 'iris.csv'), /iris\.csv:6: expected 5 fields \(as in the header\), found 4/);
    assert.throws(() => csvDataset('', 'e.csv'), /e\.csv: the file holds no records/);
    assert.throws(() => csvDataset('a,b\n', 'h.csv'), /h\.csv: the file has a header but no data rows/);
    assert.throws(() => csvDataset('a,b\n1,\n', 'l.csv'), /l\.csv:2: column 'b' \(the label\) is empty/);
    assert.throws(() => csvDataset('a,b\n1,2\n', 'x.csv', { labelColumn: 'a', featureColumns: ['a'] }), /both the label and a feature/);
  });

  it('loadCsvDataset reads a file, and names it when it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-csv-'));
    const path = join(dir, 'iris.csv');
    writeFileSync(path, IRIS);
    assert.equal((await loadCsvDataset(path)).length, 4);
    await assert.rejects(loadCsvDataset(join(dir, 'missing.csv')), /missing\.csv: cannot read the file/);
  });
});
