// The shared training machinery: the loop, checkpoint sets, history and curves, seeded order.

export { fit, savedRun, prepareRunFolder, folderStore, type FitOptions } from './loop.js';
export {
  runLoop, memoryStore, encodeModule, moduleFile, NonFiniteError,
  type Task, type Metrics, type StepContext, type EpochContext, type Progress, type FitHooks, type FitResult, type LoopOptions, type RunStore, type SaveSet,
} from './core.js';
export { saveCheckpoint, loadCheckpoint, readCheckpoint, verifyCheckpoint, readManifest, cleanLeftovers, loadModuleFile, runIn, removeRun, MANIFEST, GENERATIONS, OPTIMIZER_FILE, STATE_FILE, type Manifest, type SavePoint } from './checkpoint.js';
export { historyFiles, defaultCharts, type ChartSpec } from './history.js';
export { validateLoopState, type LoopState, type EpochRecord } from './state.js';
export { batches, bucketedBatches, permutation, mulberry32, shuffleInPlace, uniform, type Rng } from './order.js';
export { profileSteps, profileChart, type ProfileStepsOptions } from './profile.js';
export { GradientFlowMonitor, findProblems, verdict, diagnosticsCharts, HEALTH, type DiagnosticsOptions, type DiagnosticsFile, type EpochDiagnostics, type LayerFigures, type Finding, type Problem } from './diagnostics.js';
export { diagnosticsSection, writeDiagnostics, writeDiagnosticsPage, readDiagnostics } from './diagnostics-report.js';
export { withDiagnostics } from './diagnostics-task.js';
