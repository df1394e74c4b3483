// Everything between "run this kernel" and the GPU: WGSL assembly and specialisation, the
// pipeline cache, the uniform parameter block, dispatch geometry, readback and error reporting.
// The backend (index.ts) only says which shader, which buffers, which parameters.
//
// Shaders: text comes from shaders.generated.ts (built from shaders/*.wgsl); common.wgsl is
// prepended to all, gemm.wgsl to matmul and conv. A shader is specialised two ways: element
// types by rewriting its `alias T = f32;` lines (textual, since WGSL has no generics), and
// everything else (op codes, tile sizes, flags) by `override` constants at pipeline creation.
// Each (shader, entry, types, constants) variant compiles once and is cached.
//
// Errors: each dispatch's bind group is made inside a validation error scope, and each batch's
// submit inside another. popErrorScope is asynchronous, so an error is recorded with the
// kernel's name and shapes (for a batch: its first and last kernels) and thrown by the next
// read() or sync(); a synchronous exception is rethrown at once with the same context. Nothing waits on
// a scope at dispatch time, so it is always on rather than a debug mode (its cost was not
// measured separately; it is in the bench figures).

import { SHADERS } from './shaders.generated.js';
import type { GpuStorage } from './buffers.js';

const PRELUDES: Readonly<Record<string, readonly string[]>> = { matmul: ['gemm'], conv: ['gemm'] };
const UNIFORM_WORDS = 64;
const MAX_GROUPS = 65535;
const BUF_MAP_READ = 0x01, BUF_COPY_SRC = 0x04, BUF_COPY_DST = 0x08, BUF_UNIFORM = 0x40, BUF_QUERY_RESOLVE = 0x200, MAP_READ = 0x01;

/** The uniform parameter block, written word by word in the order the shader reads it. */
export class Uniforms {
  readonly words = new Uint32Array(UNIFORM_WORDS);
  private f32 = new Float32Array(this.words.buffer);
  private i32 = new Int32Array(this.words.buffer);
  private pos = 0;
  private put(view: Uint32Array | Float32Array | Int32Array, values: readonly number[]): this {
    if (this.pos + values.length > UNIFORM_WORDS) throw new Error(`webgpu: more than ${UNIFORM_WORDS} parameter words`);
    for (const v of values) view[this.pos++] = v;
    return this;
  }
  u(...v: number[]): this { return this.put(this.words, v); }
  i(...v: number[]): this { return this.put(this.i32, v); }
  f(...v: number[]): this { return this.put(this.f32, v); }
  /** A fixed-width slot (a shape or strides of up to `width` axes), zero-padded. */
  list(values: readonly number[], width = 8, signed = false): this {
    const padded = [...values, ...new Array<number>(width - values.length).fill(0)];
    return signed ? this.i(...padded) : this.u(...padded);
  }
  at(word: number): this { this.pos = word; return this; }
}

export interface Launch {
  kernel: string;             // the Backend method, for errors
  shapes: string;             // its operands, for errors
  shader: string;             // shaders/<shader>.wgsl
  entry: string;
  types?: Readonly<Record<string, string>>;
  constants?: Readonly<Record<string, number | boolean>>;
  bindings: readonly (GpuStorage | undefined)[];   // binding i + 1; undefined = not used by entry
  params: Uniforms;
  groups: readonly [number, number, number];
}

/** A 1-D grid of `count` workgroups, folded into 2-D when over the per-dimension limit. */
export function grid(count: number): [number, number, number] {
  const x = Math.max(1, Math.min(count, MAX_GROUPS));
  return [x, Math.max(1, Math.ceil(count / x)), 1];
}

/** Kernel timing for the profiler: the tag of the kernel being launched, and with timestamp
 *  queries, the query set and the tag of each dispatch in the open batch (pair i: 2i, 2i+1). */
interface Timing {
  tag: number;
  stamps: { set: GPUQuerySet; tags: number[]; results: Promise<[number, number][]>[] } | null;
}

const UNIFORM_SLOT = 256;          // bytes per dispatch's parameters: minUniformBufferOffsetAlignment at most 256
const BATCH = 256;                 // dispatches recorded before a submit is forced (slots in the arena)

export class Runtime {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  private pending: Promise<string | null>[] = [];
  private lost: string | null = null;
  // The open batch: dispatches (and buffer copies, which split it into compute passes) recorded
  // into one encoder and submitted together by flush(): at a read(), a sync(), an upload into a buffer the batch touches, or after BATCH
  // dispatches. Each dispatch has its own 256-byte slot of the uniform arena; the slots in use are
  // written with one writeBuffer just before the submit (writes land before the submit's commands,
  // and after every earlier submit, so recycling the arena per batch is safe).
  private arena: GPUBuffer;
  private arenaWords = new Uint32Array((BATCH * UNIFORM_SLOT) / 4);
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private count = 0;
  private kernels: string[] = [];
  private touched = new Set<GPUBuffer>();
  private staging = new Map<number, GPUBuffer[]>();
  private timing: Timing | null = null;

  constructor(readonly device: GPUDevice) {
    this.arena = device.createBuffer({ size: BATCH * UNIFORM_SLOT, usage: BUF_UNIFORM | BUF_COPY_DST });
    device.lost.then((info) => {
      this.lost = info.reason === 'destroyed' ? 'the device was destroyed' : `the device was lost (${info.reason}): ${info.message}`;
    });
  }

  private assertAlive(what: string): void {
    if (this.lost) throw new Error(`webgpu: ${what}: ${this.lost}`);
  }

  private source(shader: string, types: Readonly<Record<string, string>>): string {
    const parts = ['common', ...(PRELUDES[shader] ?? []), shader].map((name) => {
      const text = SHADERS[name];
      if (text === undefined) throw new Error(`webgpu: no shader '${name}.wgsl' (is shaders.generated.ts up to date?)`);
      return text;
    });
    let text = parts.join('\n');
    for (const [name, type] of Object.entries(types)) {
      const re = new RegExp(`^alias ${name} = \\w+;`, 'm');
      if (!re.test(text)) throw new Error(`webgpu: shader '${shader}' has no 'alias ${name}' to specialise`);
      text = text.replace(re, `alias ${name} = ${type};`);
    }
    return text;
  }

  private pipeline(l: Launch): GPUComputePipeline {
    const types = l.types ?? {};
    const constants = Object.fromEntries(Object.entries(l.constants ?? {}).map(([k, v]) => [k, Number(v)]));
    const key = `${l.shader}|${l.entry}|${JSON.stringify(types)}|${JSON.stringify(constants)}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    const modKey = `${l.shader}|${JSON.stringify(types)}`;
    this.device.pushErrorScope('validation');
    let module = this.modules.get(modKey);
    if (!module) {
      module = this.device.createShaderModule({ label: modKey, code: this.source(l.shader, types) });
      this.modules.set(modKey, module);
    }
    p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: l.entry, constants } });
    this.track(this.device.popErrorScope(), `compiling ${key} for ${l.kernel}`);
    this.pipelines.set(key, p);
    return p;
  }

  private track(scope: Promise<GPUError | null>, context: string): void {
    this.pending.push(scope.then((e) => (e ? `webgpu: ${context}: ${e.message}` : null)));
  }

  run(l: Launch): void {
    const where = `${l.kernel} (${l.shapes})`;
    this.assertAlive(where);
    for (const b of l.bindings) if (b?.disposed) throw new Error(`webgpu: ${where}: an operand was already disposed`);
    try {
      const pipeline = this.pipeline(l);
      if (this.count === BATCH) this.flush();
      const slot = this.count;
      this.device.pushErrorScope('validation');
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.arena, offset: slot * UNIFORM_SLOT, size: UNIFORM_WORDS * 4 } }];
      l.bindings.forEach((b, i) => { if (b) entries.push({ binding: i + 1, resource: { buffer: b.buffer, size: b.bindBytes } }); });
      const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      this.track(this.device.popErrorScope(), where);
      this.arenaWords.set(l.params.words, (slot * UNIFORM_SLOT) / 4);
      this.encoder ??= this.device.createCommandEncoder();
      const stamps = this.timing?.stamps;
      if (stamps) {
        // A pass of its own, with the GPU's clock read at its start and end.
        this.pass?.end();
        const k = stamps.tags.length;
        this.pass = this.encoder.beginComputePass({ timestampWrites: { querySet: stamps.set, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } });
        stamps.tags.push(this.timing!.tag);
      }
      this.pass ??= this.encoder.beginComputePass();
      this.pass.setPipeline(pipeline);
      this.pass.setBindGroup(0, bindGroup);
      this.pass.dispatchWorkgroups(...l.groups);
      this.count++;
      this.kernels.push(where);
      for (const b of l.bindings) if (b) this.touched.add(b.buffer);
      if (stamps) { this.pass.end(); this.pass = null; }
    } catch (e) {
      throw new Error(`webgpu: ${where}: ${(e as Error).message}`);
    }
    // Without timestamps, each dispatch is submitted at once, so the host clock around a kernel
    // call includes its submit.
    if (this.timing && !this.timing.stamps) this.flush();
  }

  /** Start timing kernels for the profiler: with GPU timestamps (the device has 'timestamp-query'),
   *  else by submitting every dispatch on its own. */
  startTiming(timestamps: boolean): void {
    this.flush();
    const set = timestamps ? this.device.createQuerySet({ type: 'timestamp', count: 2 * BATCH }) : null;
    this.timing = { tag: -1, stamps: set ? { set, tags: [], results: [] } : null };
  }

  /** The kernel about to be launched (its dispatches carry this tag). */
  timingTag(tag: number): void { if (this.timing) this.timing.tag = tag; }

  /** Stop timing; with timestamps, the GPU time in ms of each tag's dispatches, once they ran. */
  async stopTiming(): Promise<Map<number, number> | null> {
    this.flush();
    const stamps = this.timing?.stamps;
    this.timing = null;
    if (!stamps) return null;
    const byTag = new Map<number, number>();
    for (const pairs of await Promise.all(stamps.results)) for (const [tag, ms] of pairs) byTag.set(tag, (byTag.get(tag) ?? 0) + ms);
    stamps.set.destroy();
    await this.check();
    return byTag;
  }

  /** Resolve the open batch's timestamps into a buffer read back after the submit. */
  private resolveStamps(encoder: GPUCommandEncoder): (() => void) | null {
    const stamps = this.timing?.stamps;
    if (!stamps || !stamps.tags.length) return null;
    const tags = stamps.tags, n = tags.length;
    stamps.tags = [];
    const resolved = this.device.createBuffer({ size: 16 * n, usage: BUF_QUERY_RESOLVE | BUF_COPY_SRC });
    const readback = this.device.createBuffer({ size: 16 * n, usage: BUF_MAP_READ | BUF_COPY_DST });
    encoder.resolveQuerySet(stamps.set, 0, 2 * n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, readback, 0, 16 * n);
    return () => {
      stamps.results.push(readback.mapAsync(MAP_READ).then(() => {
        const t = new BigUint64Array(readback.getMappedRange().slice(0));
        readback.unmap();
        readback.destroy();
        resolved.destroy();
        return tags.map((tag, i): [number, number] => [tag, Number(t[2 * i + 1] - t[2 * i]) / 1e6]);
      }));
    };
  }

  /** Record a buffer-to-buffer copy into the open batch, in order with its dispatches (it sees
   *  what earlier ones wrote; later ones see it). A copy cannot sit inside a compute pass, so the
   *  pass ends here and the next dispatch opens another. Both buffers count as touched, so an
   *  upload into either waits for the batch (pendingUse), as for a dispatch. */
  copy(src: GpuStorage, dst: GpuStorage, where: string): void {
    this.assertAlive(where);
    if (src.disposed || dst.disposed) throw new Error(`webgpu: ${where}: an operand was already disposed`);
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, src.size * 4);
    this.kernels.push(where);
    this.touched.add(src.buffer);
    this.touched.add(dst.buffer);
  }

  /** Whether a recorded, unsubmitted dispatch uses this buffer: a queue.writeBuffer into it now
   *  would land before that dispatch runs, so the caller must flush() first. */
  pendingUse(buffer: GPUBuffer): boolean { return this.touched.has(buffer); }

  /** Submit the open batch (and, if given, one more copy recorded after it). */
  flush(extra?: (encoder: GPUCommandEncoder) => void): void {
    if (!this.encoder && !extra) return;
    const encoder = this.encoder ?? this.device.createCommandEncoder();
    this.pass?.end();
    const afterSubmit = this.resolveStamps(encoder);
    extra?.(encoder);
    const n = this.count, k = this.kernels.length;   // dispatches (one uniform slot each); with copies
    const kernels = this.kernels;
    this.encoder = null; this.pass = null; this.count = 0; this.kernels = []; this.touched.clear();
    this.device.pushErrorScope('validation');
    if (n > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaWords.buffer, 0, n * UNIFORM_SLOT);
    this.device.queue.submit([encoder.finish()]);
    afterSubmit?.();
    const context = k === 0 ? 'a readback copy' : k === 1 ? kernels[0] : `a batch of ${k} commands (${kernels[0]} ... ${kernels[k - 1]})`;
    this.track(this.device.popErrorScope(), context);
  }

  /** Throw the first error any earlier dispatch reported. */
  async check(): Promise<void> {
    const results = await Promise.all(this.pending.splice(0));
    const first = results.find((r) => r !== null);
    if (first) throw new Error(first);
    this.assertAlive('sync');
  }

  async read(s: GpuStorage): Promise<ArrayBuffer> {
    this.assertAlive('read');
    if (s.disposed) throw new Error(`webgpu: read of a disposed ${s.dtype} storage of ${s.size} elements`);
    const bytes = s.size * 4;
    if (bytes === 0) { this.flush(); await this.check(); return new ArrayBuffer(0); }
    const cls = Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
    const staging = this.staging.get(cls)?.pop() ?? this.device.createBuffer({ size: cls, usage: BUF_MAP_READ | BUF_COPY_DST });
    let ok = false;
    try {
      this.flush((encoder) => encoder.copyBufferToBuffer(s.buffer, 0, staging, 0, bytes));
      await staging.mapAsync(MAP_READ, 0, bytes);
      const out = staging.getMappedRange(0, bytes).slice(0);
      staging.unmap();
      ok = true;
      return out;
    } catch (e) {
      this.assertAlive('read');
      throw e;
    } finally {
      if (ok) {
        let list = this.staging.get(cls);
        if (!list) this.staging.set(cls, (list = []));
        list.push(staging);
      } else {
        if (staging.mapState === 'mapped') staging.unmap();
        staging.destroy();
      }
      await this.check();
    }
  }

  async sync(): Promise<void> {
    this.assertAlive('sync');
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.check();
  }
}
