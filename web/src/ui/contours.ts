/**
 * Contour lines by marching squares over a grid of values: for each cell, the edges where the level
 * is crossed are found by linear interpolation and joined by a segment (saddle cells take the pair
 * given by the cell's mean).
 */

/**
 * The segments of the `level` contour of `values` (`width` × `height`, row-major), as flat
 * [x0, y0, x1, y1, ...] in grid coordinates (column, row).
 */
export function contourSegments(
  values: ArrayLike<number>,
  width: number,
  height: number,
  level: number,
): number[] {
  const out: number[] = [];
  const at = (col: number, row: number) => values[row * width + col]!;
  for (let row = 0; row + 1 < height; row++) {
    for (let col = 0; col + 1 < width; col++) {
      const a = at(col, row); // top left
      const b = at(col + 1, row); // top right
      const c = at(col + 1, row + 1); // bottom right
      const d = at(col, row + 1); // bottom left
      if (![a, b, c, d].every(Number.isFinite)) continue;
      const index = (a > level ? 8 : 0) | (b > level ? 4 : 0) | (c > level ? 2 : 0) | (d > level ? 1 : 0);
      if (index === 0 || index === 15) continue;
      const t = (p: number, q: number) => (level - p) / (q - p);
      const top = (): [number, number] => [col + t(a, b), row];
      const right = (): [number, number] => [col + 1, row + t(b, c)];
      const bottom = (): [number, number] => [col + t(d, c), row + 1];
      const left = (): [number, number] => [col, row + t(a, d)];
      const seg = (p: [number, number], q: [number, number]) => out.push(p[0], p[1], q[0], q[1]);
      const centreAbove = (a + b + c + d) / 4 > level;
      switch (index) {
        case 1:
        case 14:
          seg(left(), bottom());
          break;
        case 2:
        case 13:
          seg(bottom(), right());
          break;
        case 3:
        case 12:
          seg(left(), right());
          break;
        case 4:
        case 11:
          seg(top(), right());
          break;
        case 6:
        case 9:
          seg(top(), bottom());
          break;
        case 7:
        case 8:
          seg(left(), top());
          break;
        case 5: // a and c below, b and d above
          if (centreAbove) {
            seg(left(), top());
            seg(bottom(), right());
          } else {
            seg(top(), right());
            seg(left(), bottom());
          }
          break;
        case 10: // a and c above
          if (centreAbove) {
            seg(top(), right());
            seg(left(), bottom());
          } else {
            seg(left(), top());
            seg(bottom(), right());
          }
          break;
      }
    }
  }
  return out;
}
