// What every report section receives: the two splits as bytes and unit floats, where to write images, and a progress log.
import type { DatasetInfo } from '../classes.js';
import type { MnistSet } from '../idx.js';
import type { ReportFolder } from './assets.js';
import type { Section } from '../../viz/html.js';

export interface AnalysisData {
  train: MnistSet;
  test: MnistSet;
  /** Pixels as v/255 in [0, 1], the same order as the bytes. */
  trainUnit: Float32Array;
  testUnit: Float32Array;
  rows: number;
  cols: number;
  numClasses: number;
  /** Which dataset this is, and its class names. */
  info: DatasetInfo;
}

export interface SectionContext {
  data: AnalysisData;
  folder: ReportFolder;
  /** One progress line on standard error (the CLI decides where it goes). */
  log: (line: string) => void;
  seed: number;
}

/** A section's page fragment and the key figures it contributes to the --json summary. */
export interface SectionResult<S> {
  section: Section;
  stats: S;
}

/** The image at index i of a set of unit floats. */
export const imageAt = (unit: Float32Array, i: number, size: number) => unit.subarray(i * size, (i + 1) * size);

/**
 * How the report names things: "digit" for handwritten digits (MNIST), "class" and "image" for any other set; the
 * class names come from the dataset. Prose that is true of MNIST alone is shown only where `digits` is true.
 */
export interface Words { digits: boolean; cls: string; item: string; names: string[] }

export function words(data: AnalysisData): Words {
  const d = data.info.digits;
  return { digits: d, cls: d ? 'digit' : 'class', item: d ? 'digit' : 'image', names: data.info.classes };
}

/** `text` for MNIST only (else `otherwise`). */
export const digitsOnly = (w: Words, text: string, otherwise = '') => (w.digits ? text : otherwise);
