// The --backend flag shared by the commands that compute: pick it, and say in one line which was picked.

import { initBackend, type BackendChoice } from '../engine/index.js';
import type { Args, Flag } from './args.js';
import { note, say } from './output.js';

export const BACKEND_FLAG: Flag = { name: 'backend', value: 'auto|cpu|webgpu', default: 'auto', help: 'where to compute: auto tries WebGPU, then falls back to the CPU' };

/** Initialise the backend and print the line saying which one (to stderr under --json, so stdout stays parseable). */
export async function pickBackend(args: Args): Promise<string> {
  const choice = args.choice<BackendChoice>('backend', ['auto', 'cpu', 'webgpu']);
  const { backend, description } = await initBackend(choice);
  (args.flag('json') ? note : say)(`backend: ${description}`);
  return backend.name;
}
