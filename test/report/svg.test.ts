/** The SVG line plot: well-formed markup, the labels and names, log ticks, gaps, clipping, markers, errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clipSegment, layoutLinePlot, type PathItem, type TextItem } from '../../src/report/layout.js';
import type { LinePlotSpec } from '../../src/report/spec.js';
import { escapeXml, linePlotSvg } from '../../src/report/svg.js';

/**
 * Checks that `xml` is well formed in the ways that matter here: every tag is `<name attr="..." ...>`,
 * `</name>` or `<name .../>`, tags nest and balance, and text holds no raw `<` or stray `&`.
 * Returns the element names in document order.
 */
function checkXml(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const tag = /<[^>]*>/g;
  let last = 0;
  for (const match of xml.matchAll(tag)) {
    const text = xml.slice(last, match.index);
    assert.doesNotMatch(text, /<|&(?!(amp|lt|gt|quot|apos);)/, `bad text before ${match[0]}`);
    last = match.index + match[0].length;
    const t = match[0];
    assert.match(t, /^<\/?[a-zA-Z][\w:-]*(\s+[\w:-]+="[^"<]*")*\s*\/?>$/, `malformed tag ${t}`);
    const name = /^<\/?([\w:-]+)/.exec(t)![1]!;
    if (t.startsWith('</')) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else {
      names.push(name);
      if (!t.endsWith('/>')) stack.push(name);
    }
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(xml.slice(last).trim(), '');
  return names;
}

const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

const lrs = Array.from({ length: 50 }, (_, i) => 1e-6 * 10 ** (i / 7));
const SPEC: LinePlotSpec = {
  title: 'Loss <vs> learning rate & "friends"',
  xLabel: 'learning rate',
  yLabel: 'loss',
  xScale: 'log',
  series: [
    { name: 'raw loss', x: lrs, y: lrs.map((lr, i) => 2 - Math.log10(lr) / 10 + (i === 20 ? NaN : 0)) },
    { name: 'smoothed', x: lrs, y: lrs.map((lr) => 2.1 - Math.log10(lr) / 10), color: '#d62728' },
  ],
  markers: [{ x: 1e-3, label: 'suggested 1e-3' }],
};

describe('linePlotSvg', () => {
  it('is well-formed SVG with the title, axis labels, series names and marker label', () => {
    const svg = linePlotSvg(SPEC);
    assert.match(
      svg,
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="500" viewBox="0 0 800 500"/,
    );
    const names = checkXml(svg);
    assert.equal(names[0], 'svg');
    assert.ok(names.includes('polyline') && names.includes('text') && names.includes('rect'));
    const t = texts(svg);
    for (const label of [
      'Loss &lt;vs&gt; learning rate &amp; &quot;friends&quot;',
      'learning rate',
      'loss',
      'raw loss',
      'smoothed',
      'suggested 1e-3',
    ]) {
      assert.ok(t.includes(label), `missing text ${label}`);
    }
    assert.match(svg, /<title>raw loss<\/title>/);
    assert.match(svg, /stroke="#d62728"/);
    assert.match(svg, /class="marker"[^>]*stroke-dasharray="6 4"/);
  });

  it('labels the log axis at powers of ten, and the y axis at round values', () => {
    const t = texts(linePlotSvg(SPEC));
    for (const label of ['1e-6', '1e-5', '1e-4', '1e-3', '1e-2', '1e-1', '1', '10'])
      assert.ok(t.includes(label), label);
    assert.ok(!t.includes('1e-7') && !t.includes('100'));
    for (const label of ['1.9', '2.0', '2.1', '2.5', '2.7']) assert.ok(t.includes(label), label);
  });

  it('leaves a gap at a value that is not finite', () => {
    const scene = layoutLinePlot(SPEC);
    const raw = scene.items.filter(
      (i): i is PathItem => i.kind === 'path' && i.role === 'series' && i.title === 'raw loss',
    );
    assert.equal(raw.length, 2);
    assert.deepEqual(
      raw.map((p) => p.points.length / 2),
      [20, 29],
    );
  });

  it('clips curves to a fixed y range, at the frame', () => {
    const scene = layoutLinePlot({
      series: [{ name: 'spike', x: [0, 1, 2, 3, 4], y: [0.5, 0.6, 1e6, 0.4, 0.3] }],
      yRange: [0, 1],
    });
    const frame = scene.items.find((i) => i.role === 'frame')!;
    assert.equal(frame.kind, 'rect');
    const paths = scene.items.filter((i): i is PathItem => i.kind === 'path' && i.role === 'series');
    assert.equal(paths.length, 2, 'the curve leaves through the top and comes back');
    if (frame.kind !== 'rect') return;
    for (const p of paths)
      for (let k = 0; k < p.points.length; k += 2) {
        assert.ok(p.points[k + 1]! >= frame.y - 1e-9 && p.points[k + 1]! <= frame.y + frame.height + 1e-9);
      }
    assert.ok(paths.some((p) => p.points.some((v, k) => k % 2 === 1 && Math.abs(v - frame.y) < 1e-9)));
  });

  it('places the legend in the emptiest corner', () => {
    const rising = layoutLinePlot({ series: [{ name: 'rising', x: [0, 1, 2, 3], y: [0, 1, 2, 3] }] });
    const falling = layoutLinePlot({ series: [{ name: 'falling', x: [0, 1, 2, 3], y: [3, 2, 1, 0] }] });
    const legendX = (scene: typeof rising) =>
      scene.items.find((i) => i.role === 'legend' && i.kind === 'rect')!;
    const frame = rising.items.find((i) => i.role === 'frame')!;
    assert.ok(frame.kind === 'rect');
    const mid = frame.x + frame.width / 2;
    const r = legendX(rising);
    const f = legendX(falling);
    assert.ok(r.kind === 'rect' && f.kind === 'rect');
    assert.ok(r.x < mid && r.y < frame.y + frame.height / 2, 'rising line: top left');
    assert.ok(f.x > mid && f.y < frame.y + frame.height / 2, 'falling line: top right');
  });

  it("puts a marker's label on the side of its line that crosses no other marker", () => {
    const scene = layoutLinePlot({
      series: [],
      xRange: [0, 1],
      markers: [
        { x: 0.45, label: 'a fairly long label' },
        { x: 0.55, label: 'another label' },
      ],
    });
    const [a, b] = scene.items.filter((i): i is TextItem => i.kind === 'text' && i.role === 'marker-label');
    assert.equal(a!.anchor, 'end', 'the first label would cross the second line, so it goes left');
    assert.equal(b!.anchor, 'start');
  });

  it('writes the y label turned to read upwards, and the title in bold', () => {
    const scene = layoutLinePlot(SPEC);
    const text = (s: string) => scene.items.find((i): i is TextItem => i.kind === 'text' && i.text === s)!;
    assert.equal(text('loss').rotate, -90);
    assert.equal(text(SPEC.title!).bold, true);
    assert.match(linePlotSvg(SPEC), /transform="rotate\(-90 [\d.]+ [\d.]+\)">loss</);
  });

  it('names the field of a bad spec', () => {
    const bad: [Partial<LinePlotSpec>, RegExp][] = [
      [{ series: [{ name: 'a', x: [1, 2], y: [1] }] }, /series\[0\] \('a'\) has 2 x values but 1 y values/],
      [{ series: [{ name: 'a', x: [1], y: [1], color: 'red' }] }, /color must be #rgb or #rrggbb, got 'red'/],
      [{ xScale: 'symlog' as 'log', series: [] }, /xScale must be 'linear' or 'log'/],
      [{ xScale: 'log', xRange: [0, 1], series: [] }, /xRange must be positive on a log axis/],
      [{ yRange: [2, 1], series: [] }, /yRange must be \[low, high\] with finite low < high/],
      [{ width: 50, series: [] }, /width must be an integer in \[200, 8000\]/],
      [{ series: [], markers: [{ x: NaN }] }, /markers\[0\].x must be a finite number/],
    ];
    for (const [spec, message] of bad) assert.throws(() => linePlotSvg(spec as LinePlotSpec), message);
  });

  it('draws an empty plot, and a lone point as a dot', () => {
    checkXml(linePlotSvg({ series: [] }));
    const scene = layoutLinePlot({ series: [{ name: 'dot', x: [1, 2, 3], y: [NaN, 5, NaN] }] });
    const dot = scene.items.filter((i): i is PathItem => i.kind === 'path' && i.role === 'series');
    assert.equal(dot.length, 1);
    assert.equal(dot[0]!.points[0], dot[0]!.points[2]);
  });
});

describe('clipSegment and escapeXml', () => {
  it('clips a segment to a box, or misses it', () => {
    const box = { x0: 0, y0: 0, x1: 10, y1: 10 };
    assert.deepEqual(clipSegment(-10, 5, 20, 5, box), [1 / 3, 2 / 3]);
    assert.deepEqual(clipSegment(1, 1, 2, 2, box), [0, 1]);
    assert.equal(clipSegment(-5, -5, -1, 20, box), null);
  });

  it('escapes the five XML specials', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
