// `zerograd bench`: our kernels and training step beside TensorFlow.js, in one process, as ratios.
// The suites live in bench/; this command only picks them, prints their tables and the JSON rows.

import type { Args, Command } from './args.js';
import { printJson, say } from './output.js';
import { ProgressBar } from './progress.js';

const SUITES = ['cpu', 'depthwise', 'train', 'gan', 'transformer', 'ops', 'gpt', 'webgpu', 'all'] as const;
type Suite = (typeof SUITES)[number];

export const command: Command = {
  name: 'bench',
  summary: 'our kernels and training step beside TensorFlow.js',
  usage: '[--quick] [--suite all]',
  description: [
    'Times our kernels beside TensorFlow.js in the same process and reports GFLOP/s and ratios (ours / theirs):',
    '  cpu     matmul 128-1024 and the cnn model\'s two conv2d shapes (forward, input and filter gradients)',
    '          on our CPU backend vs tfjs "cpu" and "wasm" (XNNPACK; its missing Conv2DBackpropFilter is',
    '          supplied as im2col + its own matmul, and marked "stand-in")',
    '  depthwise  mobilenetv2\'s depthwise 3×3 shapes at batch 64: our direct kernels vs the GEMM path and',
    '          tfjs "wasm" (forward; it has no depthwise backprop kernels, so the gradients compare with tfjs "cpu")',
    '  train   one cnn training step at batch 64 (forward, backward, Adam) in samples/s vs tfjs "wasm", and vs',
    '          PyTorch (a python3 subprocess, same model and threads) in interleaved rounds, each printed',
    '  gan     one DCGAN step (both updates, the default nets of gan train) at batch 64 in images/s vs the same nets on tfjs "wasm"',
    '  transformer  causal attention forward and forward+backward at [64,4,10,32] and [8,8,128,64], and one',
    '          training step of the G2P-sized encoder-decoder at batch 64, vs the same written in tfjs ops on "wasm"',
    '  ops     the Transformer-shaped kernels at our models\' shapes: attention\'s batched matmuls, layerNorm,',
    '          softmax, GELU (exact erf), embedding gather and scatter-add, forward and forward+backward, vs',
    '          tfjs "wasm" (layerNorm and GELU written from its ops; scatter-add vs its scatterND)',
    '  gpt     one training step of nanoGPT\'s CPU recipe (4 layers, 4 heads, 128 wide, context 64, batch 12), vs the',
    '          same decoder written in tfjs ops on "wasm"',
    '  webgpu  our WGSL matmul and conv vs tfjs-backend-webgpu on the same Dawn adapter',
    'Times are medians. This machine is shared and noisy: compare the ratios of several runs.',
  ].join('\n'),
  flags: [
    { name: 'quick', help: 'fewer iterations and sizes (about a minute)' },
    { name: 'suite', value: SUITES.join('|'), default: 'all', help: 'which benchmarks to run' },
    { name: 'matmul-max', value: 'N', help: 'largest square matmul of the webgpu suite, 128 to 4096 (by default 1024, 512 with --quick)' },
  ],
  examples: ['zerograd bench --quick', 'zerograd bench --suite cpu --json', 'zerograd bench --suite webgpu --matmul-max 4096'],
  run,
};

async function run(args: Args): Promise<number> {
  const suite: Suite = args.choice('suite', SUITES);
  const quick = args.flag('quick');
  // Read before any suite runs, so that a bad value is refused at once, not after minutes of the cpu suite.
  const matmulMax = args.number('matmul-max', { integer: true, min: 128, max: 4096 });
  const want = (s: Suite) => suite === 'all' || suite === s;
  const rows: Record<string, unknown>[] = [];
  // A line on stderr before each case (a suite runs for tens of seconds), never in the --json output.
  const bar = new ProgressBar();
  const progress = (name: string) => (done: number, total: number, what: string) => { if (done < total) bar.status(`bench ${name} ${done + 1}/${total}: ${what}…`); };
  if (want('cpu')) {
    const { runCpuKernelBench, formatRows } = await import('../bench/cpu-kernels.js');
    const r = await runCpuKernelBench({ quick, onProgress: progress('cpu') });
    bar.done();
    say('CPU kernels (GFLOP/s)');
    say(formatRows(r));
    rows.push(...r.map((x) => ({ suite: 'cpu', ...x })));
  }
  if (want('depthwise')) {
    const { runDepthwiseBench, formatDepthwiseRows } = await import('../bench/depthwise.js');
    const r = await runDepthwiseBench({ quick, onProgress: progress('depthwise') });
    bar.done();
    say('\nDepthwise conv, mobilenetv2 shapes (GFLOP/s)');
    say(formatDepthwiseRows(r));
    rows.push(...r.map((x) => ({ suite: 'depthwise', ...x })));
  }
  if (want('train')) {
    const { runTrainStepBench, formatTrainRows } = await import('../bench/train-step.js');
    const r = await runTrainStepBench({ quick, onProgress: progress('train'), onRound: (line) => { bar.done(); say(line); } });
    bar.done();
    say('\nTraining step, cnn, batch 64 (samples/s)');
    say(formatTrainRows(r));
    rows.push(...r.map((x) => ({ suite: 'train', ...x })));
  }
  if (want('gan')) {
    const { runGanStepBench } = await import('../bench/gan-step.js');
    const { formatTrainRows } = await import('../bench/train-step.js');
    const r = await runGanStepBench({ quick, onProgress: progress('gan') });
    bar.done();
    say('\nGAN step, dcgan, batch 64 (images/s)');
    say(formatTrainRows(r, 'step (dcgan, batch 64)'));
    rows.push(...r.map((x) => ({ suite: 'gan', ...x })));
  }
  if (want('transformer')) {
    const { runTransformerBench, formatTransformerRows } = await import('../bench/transformer.js');
    const r = await runTransformerBench({ quick });
    say('\nTransformer (ms, median)');
    say(formatTransformerRows(r));
    rows.push(...r.map((x) => ({ suite: 'transformer', ...x })));
  }
  if (want('ops')) {
    const { runOpsBench, formatOpsRows } = await import('../bench/ops.js');
    const r = await runOpsBench({ quick, onProgress: progress('ops') });
    bar.done();
    say('\nTransformer-shaped kernels (ms, median of interleaved rounds; ratio = tfjs-wasm / ours)');
    say(formatOpsRows(r));
    rows.push(...r.map((x) => ({ suite: 'ops', ...x })));
  }
  if (want('gpt')) {
    const { runGptBench, formatGptRows } = await import('../bench/gpt.js');
    const r = await runGptBench({ quick });
    say('\nGPT training step (ms, median)');
    say(formatGptRows(r));
    rows.push(...r.map((x) => ({ suite: 'gpt', ...x })));
  }
  if (want('webgpu')) {
    const { runWebGpuKernelBench } = await import('../bench/webgpu-kernels.js');
    const r = await runWebGpuKernelBench({ quick, matmulMax, onProgress: progress('webgpu') });
    bar.done();
    say('\nWebGPU kernels (GFLOP/s, same adapter)');
    for (const x of r) say(`${x.name.padEnd(36)} ours ${x.ours_gflops.toFixed(3).padStart(8)}  tfjs-webgpu ${x.tfjs_webgpu_gflops.toFixed(3).padStart(8)}  ratio ${x.ratio.toFixed(2)}`);
    rows.push(...r.map((x) => ({ suite: 'webgpu', ...x })));
  }
  if (args.flag('json')) printJson({ rows });
  return 0;
}
