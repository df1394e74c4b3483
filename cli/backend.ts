// The --backend flag shared by the commands that compute: pick it, and say in one line which was picked.

import { initBackend, type BackendChoice } from '../engine/index.js';
import { UsageError, type Args, type Flag } from './args.js';
import { note, say } from './output.js';

export const BACKEND_FLAG: Flag = { name: 'backend', value: 'auto|cpu|webgpu', default: 'auto', help: 'where to compute: auto takes WebGPU on a real GPU, else the CPU (the ZEROGRAD_BACKEND variable sets the default)' };

const CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu'];

/** Initialise the backend and print the line saying which one (to stderr under --json, so stdout stays parseable). */
export async function pickBackend(args: Args): Promise<string> {
  const env = process.env.ZEROGRAD_BACKEND;
  if (!args.has('backend') && env) {
    if (!CHOICES.includes(env as BackendChoice)) throw new UsageError(`ZEROGRAD_BACKEND must be one of ${CHOICES.join(', ')}, got '${env}'`);
  }
  const choice = !args.has('backend') && env ? (env as BackendChoice) : args.choice<BackendChoice>('backend', CHOICES);
  const { backend, description } = await initBackend(choice);
  (args.flag('json') ? note : say)(`backend: ${description}`);
  return backend.name;
}
