// The whole analysis: load the dataset (MNIST by default), run every section, write <out>/index.html with its images, return the key figures.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError } from '../../io/files.js';
import { loadSplits } from '../data.js';
import { diagnosticsSection, readDiagnostics } from '../../train/index.js';
import { normalise } from '../dataset.js';
import { ReportFolder } from './assets.js';
import { type AnalysisData, type SectionContext } from './context.js';
import { featureGallerySection } from './feature-gallery.js';
import { esc, page, type Section } from '../../viz/html.js';
import { labelSection } from './labels.js';
import { modelSections, resolveCheckpoint, type ModelStats } from './model.js';
import { pcaSection } from './pca.js';
import { pixelSection } from './pixels.js';
import { separabilitySection } from './separability.js';
import { strokeFeatures, strokeSection } from './strokes.js';

export interface AnalyzeOptions {
  outDir: string;
  dataDir?: string;
  /** The first N training images only (the test set is cut by testLimit). */
  limit?: number;
  testLimit?: number;
  /** A model.safetensors written by `zerograd train` (or the folder holding it): adds the model sections. */
  checkpoint?: string;
  pcaSamples?: number; // default 3000
  probeTrain?: number; // training images for the separability probes, default 10000
  lossScan?: number; // training images scanned for the highest loss, default 10000
  seed?: number;
  log?: (line: string) => void;
}

export const DEFAULTS = { pcaSamples: 3000, probeTrain: 10000, lossScan: 10000, seed: 0 } as const;

export type AnalyzeSummary = { report: string; train_count: number; test_count: number; seconds: number } & Record<string, unknown> & Partial<ModelStats>;

export function loadAnalysisData(o: Pick<AnalyzeOptions, 'dataDir' | 'limit' | 'testLimit'>): AnalysisData {
  const { train, test, info } = loadSplits(o);
  if (train.channels !== 1) throw new DataError(`${o.dataDir}: holds ${info.name}'s colour images; the report covers grayscale image sets (IDX files) only`);
  return { train, test, trainUnit: normalise(train.images), testUnit: normalise(test.images), rows: train.rows, cols: train.cols, numClasses: info.classes.length, info };
}

export async function analyze(o: AnalyzeOptions): Promise<AnalyzeSummary> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const outDir = resolve(o.outDir);
  // Fail before the minute of data analysis, not after it.
  if (o.checkpoint && !existsSync(resolveCheckpoint(o.checkpoint))) throw new DataError(`${resolveCheckpoint(o.checkpoint)}: no such checkpoint`);
  log(`analyze: loading data`);
  const data = loadAnalysisData(o);
  const ctx: SectionContext = { data, folder: new ReportFolder(outDir), log, seed: o.seed ?? DEFAULTS.seed };
  const { rows, cols } = data;
  const sections: Section[] = [];
  let stats: Record<string, unknown> = {};
  const add = <S extends object>(r: { section: Section; stats: S }) => {
    sections.push(r.section);
    stats = { ...stats, ...r.stats };
  };

  add(labelSection(ctx));
  log(`analyze: pixel statistics and class means of ${data.train.count} training images`);
  add(pixelSection(ctx));
  log('analyze: stroke statistics');
  const trainStroke = strokeFeatures(data.trainUnit, data.train.count, rows, cols);
  const testStroke = strokeFeatures(data.testUnit, data.test.count, rows, cols);
  add(strokeSection(ctx, trainStroke));
  add(featureGallerySection(ctx));
  add(await pcaSection(ctx, o.pcaSamples ?? DEFAULTS.pcaSamples));
  add(await separabilitySection(ctx, o.probeTrain ?? DEFAULTS.probeTrain, trainStroke, testStroke));
  if (o.checkpoint) {
    const model = await modelSections(ctx, o.checkpoint, o.lossScan ?? DEFAULTS.lossScan);
    model.sections.forEach((s) => sections.push(s));
    stats = { ...stats, ...model.stats };
    // A run trained with --diagnostics left its gradient-flow figures beside the weights.
    const diagnostics = readDiagnostics(dirname(resolveCheckpoint(o.checkpoint)));
    if (diagnostics) {
      sections.push(diagnosticsSection(diagnostics));
      stats = { ...stats, diagnostics_verdict: diagnostics.epochs[diagnostics.epochs.length - 1]?.verdict ?? null };
    }
  }

  const seconds = (Date.now() - started) / 1000;
  const subtitle = `${data.train.count.toLocaleString('en')} training and ${data.test.count.toLocaleString('en')} test images` +
    `${o.checkpoint ? `, model ${esc(o.checkpoint)}` : ''}; made by <code>zerograd analyze</code> in ${seconds.toFixed(1)} s.`;
  const report = ctx.folder.page(page(`${data.info.name === 'mnist' ? 'MNIST' : esc(data.info.name)} dataset report`, subtitle, sections));
  log(`analyze: wrote ${report}`);
  return { report, train_count: data.train.count, test_count: data.test.count, seconds, ...stats };
}
