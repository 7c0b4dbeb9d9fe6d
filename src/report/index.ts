/**
 * Plots without dependencies: a line-plot spec is laid out once (layout.ts) and drawn as SVG (svg.ts)
 * or rasterized and encoded as PNG (raster.ts, font.ts, png.ts). Everything exported here is
 * browser-safe; writing files is Node-only and lives in write.ts (`writePlot`), imported separately.
 */
export * from './spec.js';
export * from './ticks.js';
export {
  layoutLinePlot,
  textWidth,
  type Scene,
  type SceneItem,
  type RectItem,
  type PathItem,
  type TextItem,
} from './layout.js';
export { linePlotSvg, sceneToSvg } from './svg.js';
export { Raster, rasterizeScene, type RgbImage } from './raster.js';
export { adler32, crc32, encodePng, storedZlib, type Deflate } from './png.js';
export { linePlotImage, linePlotPng, type PngOptions } from './png-plot.js';
export * from './training-report.js';
export { reportFromTrainLog } from './train-log.js';
