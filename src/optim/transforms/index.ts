/** The transforms, one family per file; compose them with `chain` from ../transform.ts. */
export * from './weight-decay.js';
export * from './momentum.js';
export * from './adam.js';
export * from './adaptive.js';
export * from './sign.js';
export * from './averaging.js';
export * from './trust-ratio.js';
export * from './clip.js';
