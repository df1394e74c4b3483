// `zerograd profile`: where a training step's time goes, per op and direction, on either backend.

import { manualSeed, profileTable } from '../engine/index.js';
import { writeFileAtomic } from '../io/files.js';
import { modelNames } from '../models/index.js';
import { ClassifyTask, DEFAULT_CONFIG } from '../mnist/classify.js';
import { loadImageData } from '../mnist/data.js';
import { profileChart, profileSteps } from '../train/index.js';
import type { Args, Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { printJson, say } from './output.js';

export const command: Command = {
  name: 'profile',
  summary: 'per-op time, memory and FLOPs of training steps',
  usage: '[--model cnn] [--steps 20] [--batch 64] [--out profile.svg]',
  description: [
    'Runs --warmup training steps of a classifier on MNIST (as `zerograd train` runs them: forward, cross-entropy, backward, Adam),',
    'then profiles --steps more: for every op and direction (forward, backward; "other" for kernels outside ops, such as the',
    'batch upload and the optimiser update) the calls, total and median kernel time, bytes allocated and FLOPs (matmul, conv).',
    'Prints the table sorted by time and writes a bar chart of the milliseconds per step of the costliest ops to --out.',
    'On the CPU the host clock times each kernel; on WebGPU, GPU timestamp queries where the adapter has them, else each',
    'kernel is submitted alone and timed to its submit (the first line of the table says which).',
  ].join('\n'),
  flags: [
    { name: 'model', value: modelNames('classification').join('|'), default: 'cnn', help: 'architecture' },
    { name: 'steps', value: 'N', default: 20, help: 'training steps to profile' },
    { name: 'warmup', value: 'N', default: 2, help: 'unprofiled steps first (kernel compilation, buffer growth)' },
    { name: 'batch', value: 'N', default: DEFAULT_CONFIG.batchSize, help: 'images per step' },
    { name: 'seed', value: 'N', default: 0, help: 'seed for the weights and the batch order' },
    { name: 'top', value: 'N', default: 0, help: 'print only the N costliest rows (0: all)' },
    { name: 'out', value: 'FILE', default: 'profile.svg', help: 'the bar chart (SVG)' },
    BACKEND_FLAG,
  ],
  examples: ['zerograd profile --model cnn --steps 20', 'zerograd profile --model cnn --steps 1 --backend cpu --json', 'zerograd profile --backend webgpu --steps 5 --out runs/webgpu-profile.svg'],
  run,
};

async function run(args: Args): Promise<number> {
  const int = (name: string, min: number) => args.number(name, { integer: true, min })!;
  const model = args.choice('model', modelNames('classification'));
  const steps = int('steps', 1), warmup = int('warmup', 0), batch = int('batch', 1), seed = int('seed', 0), top = int('top', 0);
  const out = args.string('out')!;
  const backend = await pickBackend(args);
  const data = loadImageData({ limit: Math.min(60000, (steps + warmup) * batch), testLimit: 1 });
  manualSeed(seed);
  const task = new ClassifyTask({ ...DEFAULT_CONFIG, model, batchSize: batch, seed, epochs: 1 }, data);
  let p;
  try {
    p = await profileSteps(task, { steps, warmup, seed });
  } finally {
    task.optimizers.optimizer.dispose();
    task.modules.model.dispose();
  }
  say(`profile of ${steps} ${model} training step${steps === 1 ? '' : 's'} (batch ${batch}, after ${warmup} warm-up), sorted by kernel time:`);
  say(profileTable(p, { steps, top: top || undefined }));
  writeFileAtomic(out, profileChart(p, steps, { title: `Where a ${model} training step's time goes (batch ${batch}, ${p.backend})` }));
  say(`${(p.wallMs / steps).toFixed(1)} ms per step (${((100 * p.kernelMs) / p.wallMs).toFixed(0)} % inside kernels); chart: ${out}`);
  if (args.flag('json')) {
    printJson({
      model, steps, batch, backend, timing: p.timing.method, wall_ms: p.wallMs, ms_per_step: p.wallMs / steps, kernel_ms: p.kernelMs, kernels: p.kernels, svg: out,
      rows: p.rows.map((r) => ({ op: r.op, direction: r.direction, calls: r.calls, kernels: r.kernels, total_ms: r.totalMs, median_ms: r.medianMs, bytes: r.bytes, flops: r.flops })),
    });
  }
  return 0;
}
