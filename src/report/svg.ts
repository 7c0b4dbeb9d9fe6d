/**
 * Scenes as SVG text: one element per scene item, no scripts, no external resources. Browser-safe.
 */
import { layoutLinePlot, type Scene, type SceneItem } from './layout.js';
import type { LinePlotSpec } from './spec.js';

const FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** Escapes text for an XML text node or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** At most two decimals, no trailing zeros: coordinates stay short. */
function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function element(item: SceneItem): string {
  const cls = `class="${escapeXml(item.role)}"`;
  switch (item.kind) {
    case 'rect': {
      const fill = item.fill
        ? `fill="${item.fill}"${item.fillOpacity !== undefined ? ` fill-opacity="${n(item.fillOpacity)}"` : ''}`
        : 'fill="none"';
      const stroke = item.stroke ? ` stroke="${item.stroke}" stroke-width="${n(item.strokeWidth ?? 1)}"` : '';
      return `<rect ${cls} x="${n(item.x)}" y="${n(item.y)}" width="${n(item.width)}" height="${n(item.height)}" ${fill}${stroke}/>`;
    }
    case 'path': {
      const points: string[] = [];
      for (let i = 0; i + 1 < item.points.length; i += 2)
        points.push(`${n(item.points[i]!)},${n(item.points[i + 1]!)}`);
      const opacity = item.opacity < 1 ? ` stroke-opacity="${n(item.opacity)}"` : '';
      const dash = item.dash ? ` stroke-dasharray="${item.dash.map(n).join(' ')}"` : '';
      const attrs =
        `${cls} points="${points.join(' ')}" fill="none" stroke="${item.color}" stroke-width="${n(item.width)}"` +
        `${opacity}${dash} stroke-linejoin="round" stroke-linecap="${item.role === 'series' ? 'round' : 'butt'}"`;
      return item.title
        ? `<polyline ${attrs}><title>${escapeXml(item.title)}</title></polyline>`
        : `<polyline ${attrs}/>`;
    }
    case 'text': {
      const anchor = item.anchor === 'start' ? '' : ` text-anchor="${item.anchor}"`;
      const rotate = item.rotate ? ` transform="rotate(${item.rotate} ${n(item.x)} ${n(item.y)})"` : '';
      const bold = item.bold ? ' font-weight="bold"' : '';
      return (
        `<text ${cls} x="${n(item.x)}" y="${n(item.y)}" font-size="${n(item.size)}" fill="${item.color}"` +
        `${anchor}${rotate}${bold}>${escapeXml(item.text)}</text>`
      );
    }
  }
}

/** A scene as a standalone SVG document. */
export function sceneToSvg(scene: Scene): string {
  const { width, height } = scene;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}">`,
    `<rect class="background" width="${width}" height="${height}" fill="${scene.background}"/>`,
    ...scene.items.map(element),
    '</svg>',
    '',
  ].join('\n');
}

/**
 * A line plot as an SVG document: axes with round ticks (powers of ten on a log axis), grid, legend,
 * title, and vertical markers; points that are not finite leave gaps.
 *
 * @example
 * linePlotSvg({
 *   title: 'LR range test', xLabel: 'learning rate', yLabel: 'loss', xScale: 'log',
 *   series: [{ name: 'smoothed loss', x: lrs, y: smoothed }],
 *   markers: [{ x: 3e-2, label: 'suggested 3e-2' }],
 * });
 */
export function linePlotSvg(spec: LinePlotSpec): string {
  return sceneToSvg(layoutLinePlot(spec));
}
