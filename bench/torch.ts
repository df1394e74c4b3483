// PyTorch as a peer in the benchmarks: bench/torch-step.py runs in a python3 subprocess and
// answers one timed round per request, so that rounds interleave with ours and the two never
// compute at the same time. Which python: $ZEROGRAD_PYTHON, else the first of python3 and
// /usr/bin/python3 that imports torch (a pyenv or venv python3 often lacks Debian's torch).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What to do when no python here imports torch (the bench row says this). */
export const TORCH_HINT = 'PyTorch not found: apt-get install python3-torch libopenblas0-pthread (or set ZEROGRAD_PYTHON to a python with torch)';

/** The first python that imports torch, or null. */
export function findTorchPython(): string | null {
  const candidates = process.env.ZEROGRAD_PYTHON ? [process.env.ZEROGRAD_PYTHON] : ['python3', '/usr/bin/python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

export class TorchStep {
  readonly version: string;
  readonly threads: number;
  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface, hello: { torch: string; threads: number }) {
    this.version = hello.torch;
    this.threads = hello.threads;
  }

  /** Starts the server on `threads` threads; null when no python with torch is found. */
  static async start(threads: number): Promise<TorchStep | null> {
    const py = findTorchPython();
    if (!py) return null;
    const script = fileURLToPath(new URL('./torch-step.py', import.meta.url));
    const child = spawn(py, [script, String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const rl = createInterface({ input: child.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error(`bench/torch-step.py exited before it was ready: ${stderr.trim().split('\n').pop() ?? ''}`);
    return new TorchStep(child, lines, rl, JSON.parse(first.value));
  }

  /** One round: `warmup` untimed steps, then the time of each of `iterations` steps, in ms. */
  async round(warmup: number, iterations: number): Promise<number[]> {
    this.child.stdin.write(`${warmup} ${iterations}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error('bench/torch-step.py stopped in the middle of a round');
    return (JSON.parse(next.value) as { ms: number[] }).ms;
  }

  close(): void {
    this.child.stdin.end('\n');
    this.rl.close();
  }
}
