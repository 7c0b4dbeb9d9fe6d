/**
 * A tiny bitmap font for the rasterizer, drawn for this project: printable ASCII (32–126) and a few
 * symbols plots use (– — × · μ ± ° ≈ … → α β λ η θ, curly quotes) in 5 × 9 cells. Rows 0–6 stand on
 * the baseline (cap height 7), rows 7–8 hold descenders. Glyphs are spaced proportionally (empty
 * columns trimmed, one column between glyphs) except digits, which keep their full width so that
 * numbers line up. Anything else draws as a hollow box. Browser-safe.
 *
 * Encoding: one word per glyph in code order; each base-32 digit is a row, top first, its 5 bits the
 * pixels left to right (16 = leftmost); missing trailing rows are empty.
 */

const GLYPHS = [
  '0 4444404 aa aavavaa 4fke5u4 op248j3 cik8lid 448 2488842 8422248 04lel4 044v44 00000c48 000e 00000cc 01248g',
  'ehjlphe 4c4444e eh1248v v2421he 26aiv22 vgu11he 68guhhe v124888 ehhehhe ehhf12c 0cc0cc 0cc0c48 248g842 00v0v 8421248 eh12404',
  'eh1dlle ehhvhhh uhhuhhu ehggghe sihhhis vgguggv vgguggg ehgnhhf hhhvhhh e44444e 72222ic hikokih ggggggv hrllhhh hhpljhh ehhhhhe',
  'uhhuggg ehhhlid uhhukih fgge11u v444444 hhhhhhe hhhhha4 hhhllla hha4ahh hha4444 v1248gv sgggggs 0g8421 7111117 4ah 0000000v',
  '842 00e1fhf ggmphhu 00egghe 11djhhf 00ehvge 698s888 00fhhhf1e ggmphhh 40c444e 2062222ic ggikoki c44444e 00qllll 00mphhh 00ehhhe',
  '00uhhhugg 00fhhhf11 00mpggg 00fge1u 88s8896 00hhhjd 00hhha4 00hhlla 00ha4ah 00hhhhf1e 00v248v 2448442 44444444 8442448 008l2',
]
  .join(' ')
  .split(' ');

// prettier-ignore
const EXTRA: Record<string, string> = {
  '–': '000v', '—': '000v', '−': '000v', '×': '0ha4ah', '·': '000cc', µ: '00hhhjtgg', μ: '00hhhjtgg',
  '±': '44v440v', '°': 'ciic', '≈': '08l28l2', '…': '000000l', '‘': '448', '’': '448', '“': 'aak', '”': 'aak',
  '→': '042v24', α: '00diiid', β: 'ciisiisgg', λ: 'g884ahh', η: '00mphhh11', θ: 'ehhvhhe',
};

/** Glyph height in font pixels, descenders included, and the rows above the baseline. */
export const GLYPH_ROWS = 9;
export const CAP_HEIGHT = 7;

/** A glyph: its pixel rows as 5-bit masks (16 = leftmost column), and its drawn columns. */
export interface Glyph {
  rows: number[];
  /** First drawn column (0–4). */
  left: number;
  /** Columns drawn, from `left`. */
  width: number;
}

/** Unknown characters: a hollow box the size of a capital. */
const BOX: Glyph = { rows: [31, 17, 17, 17, 17, 17, 31, 0, 0], left: 0, width: 5 };

const cache = new Map<number, Glyph>();

function decode(code: number): Glyph | undefined {
  const word = code >= 32 && code <= 126 ? GLYPHS[code - 32]! : EXTRA[String.fromCodePoint(code)];
  if (word === undefined) return undefined;
  const rows = Array.from({ length: GLYPH_ROWS }, (_, i) => parseInt(word[i] ?? '0', 32));
  if (code === 32) return { rows, left: 0, width: 3 };
  if (code >= 48 && code <= 57) return { rows, left: 0, width: 5 };
  const used = rows.reduce((a, r) => a | r, 0);
  let left = 0;
  while (left < 4 && !(used & (16 >> left))) left++;
  let right = 4;
  while (right > left && !(used & (16 >> right))) right--;
  return { rows, left, width: right - left + 1 };
}

/** The glyph for one character (a box when the font lacks it). */
export function glyph(char: string): Glyph {
  const code = char.codePointAt(0) ?? 0;
  let g = cache.get(code);
  if (!g) {
    g = decode(code) ?? BOX;
    cache.set(code, g);
  }
  return g;
}

/** The advance of `text` in font pixels: glyph widths plus one column between glyphs. */
export function bitmapTextWidth(text: string): number {
  let width = 0;
  for (const char of text) width += glyph(char).width + 1;
  return Math.max(0, width - 1);
}
