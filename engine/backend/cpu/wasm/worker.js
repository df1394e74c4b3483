// The second core. Plain JS so that it runs the same under node, tsx and vitest, with no loader.
// It instantiates the kernels on the shared memory, then sleeps on Atomics.wait until threads.ts
// bumps SEQ, runs the program whose address is in PROG, and reports DONE (or FAILED). It never
// returns to its event loop; the main thread unref()s it, so it does not keep a process alive.
// (Node-only, like engine/platform.ts: it reads workerData from node:worker_threads.)
import { workerData } from 'node:worker_threads';

const { module, memory, control, slots } = workerData;
const { run } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const flags = new Int32Array(control);

Atomics.store(flags, slots.READY, 1);
Atomics.notify(flags, slots.READY);

let seq = 0;
for (;;) {
  Atomics.wait(flags, slots.SEQ, seq);
  seq = Atomics.load(flags, slots.SEQ);
  try {
    run(Atomics.load(flags, slots.PROG));
  } catch (e) {
    console.error('zerograd wasm worker:', e);
    Atomics.store(flags, slots.FAILED, seq);
  }
  Atomics.store(flags, slots.DONE, seq);
  Atomics.notify(flags, slots.DONE);
}
