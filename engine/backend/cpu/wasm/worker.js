// The second core. Plain JS with no imports, so that it runs the same under node, tsx and vitest
// (a worker_threads Worker, handed its data as workerData) and in a browser (a module Web Worker,
// handed its data as the first message; a bundler copies this file as it is). It instantiates the
// kernels on the shared memory, then sleeps on Atomics.wait until threads.ts bumps SEQ, runs the
// program whose address is in PROG, and reports DONE (or FAILED). It never returns to its event
// loop; in Node the main thread unref()s it, so it does not keep a process alive.

const nodeData = globalThis.process?.getBuiltinModule?.('node:worker_threads')?.workerData;
const data = nodeData ?? await new Promise((resolve) => globalThis.addEventListener('message', (e) => resolve(e.data), { once: true }));
const { module, memory, control, slots } = data;
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
