// The --backend flag shared by the commands that compute: pick it, and say in one line which was picked and why.
//
// Under 'auto' the WebGPU adapter is probed in a child process: Dawn prints its warnings (no Vulkan
// loader, limits "artificially reduced") from native code straight to file descriptor 2, where this
// process cannot catch them. The child's stderr is captured, and shown only under --debug; when the
// child finds no adapter or a software one, this process goes to the CPU without loading Dawn at all.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, probeWebGpu, type AdapterProbe, type BackendChoice } from '../engine/index.js';
import { PROBE_COMMAND, UsageError, type Args, type Flag } from './args.js';
import { note, say } from './output.js';

export const BACKEND_FLAG: Flag = { name: 'backend', value: 'auto|cpu|webgpu', default: 'auto', help: 'where to compute: auto takes WebGPU on a real GPU, else the CPU (the ZEROGRAD_BACKEND variable sets the default)' };

const CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu'];

/** In the child: find the adapter and print what was found as one JSON line. */
export async function runProbe(): Promise<number> {
  let probe: AdapterProbe;
  try {
    probe = { description: await probeWebGpu() };
  } catch (e) {
    probe = { error: (e as Error).message };
  }
  process.stdout.write(JSON.stringify(probe) + '\n');
  return 0;
}

/** Run the probe in a child process; its stderr (Dawn's warnings) comes back as text, never printed here. */
function probeInChild(): Promise<{ probe: AdapterProbe; stderr: string }> {
  const entry = fileURLToPath(new URL('./zerograd.js', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, PROBE_COMMAND], { timeout: 60_000, maxBuffer: 1 << 20, env: { EGL_PLATFORM: 'surfaceless', ...process.env } }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const probe = JSON.parse(line) as AdapterProbe;
        if ('description' in probe || 'error' in probe) return resolve({ probe, stderr });
      } catch { /* reported below */ }
      resolve({ probe: { error: `the WebGPU probe failed (${err ? err.message.split('\n')[0] : 'no answer'})` }, stderr });
    });
  });
}

/** Initialise the backend and print the line saying which one (to stderr under --json, so stdout stays parseable). */
export async function pickBackend(args: Args): Promise<string> {
  const env = process.env.ZEROGRAD_BACKEND;
  if (!args.has('backend') && env) {
    if (!CHOICES.includes(env as BackendChoice)) throw new UsageError(`ZEROGRAD_BACKEND must be one of ${CHOICES.join(', ')}, got '${env}'`);
  }
  const choice = !args.has('backend') && env ? (env as BackendChoice) : args.choice<BackendChoice>('backend', CHOICES);
  let probe: AdapterProbe | undefined;
  if (choice === 'auto') {
    const r = await probeInChild();
    probe = r.probe;
    if (args.flag('debug') && r.stderr.trim()) note(r.stderr.split('\n').filter((l) => l.trim()).map((l) => `webgpu probe: ${l}`).join('\n'));
  }
  const { backend, description } = await initBackend(choice, { probe });
  (args.flag('json') ? note : say)(`backend: ${description}`);
  return backend.name;
}
