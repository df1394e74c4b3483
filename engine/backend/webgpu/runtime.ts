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
// Errors: each dispatch runs inside a validation error scope. popErrorScope is asynchronous, so
// an error is recorded with the kernel's name and shapes and thrown by the next read() or
// sync(); a synchronous exception is rethrown at once with the same context. Nothing waits on
// a scope at dispatch time, so it is always on rather than a debug mode (its cost was not
// measured separately; it is in the bench figures).

import { SHADERS } from './shaders.generated.js';
import type { GpuStorage } from './buffers.js';

const PRELUDES: Readonly<Record<string, readonly string[]>> = { matmul: ['gemm'], conv: ['gemm'] };
const UNIFORM_WORDS = 64;
const MAX_GROUPS = 65535;
const BUF_MAP_READ = 0x01, BUF_COPY_DST = 0x08, BUF_UNIFORM = 0x40, MAP_READ = 0x01;

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

export class Runtime {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  private uniformBuffer: GPUBuffer;
  private pending: Promise<string | null>[] = [];
  private lost: string | null = null;

  constructor(readonly device: GPUDevice) {
    // One uniform buffer serves every dispatch: writeBuffer and submit are ordered on the queue,
    // and each dispatch is its own submit, so a kernel sees the parameters written just before it.
    this.uniformBuffer = device.createBuffer({ size: UNIFORM_WORDS * 4, usage: BUF_UNIFORM | BUF_COPY_DST });
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
      this.device.queue.writeBuffer(this.uniformBuffer, 0, l.params.words);
      this.device.pushErrorScope('validation');
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniformBuffer } }];
      l.bindings.forEach((b, i) => { if (b) entries.push({ binding: i + 1, resource: { buffer: b.buffer, size: b.bindBytes } }); });
      const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...l.groups);
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      this.track(this.device.popErrorScope(), where);
    } catch (e) {
      throw new Error(`webgpu: ${where}: ${(e as Error).message}`);
    }
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
    if (bytes === 0) { await this.check(); return new ArrayBuffer(0); }
    const staging = this.device.createBuffer({ size: bytes, usage: BUF_MAP_READ | BUF_COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(s.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MAP_READ);
      return staging.getMappedRange().slice(0);
    } finally {
      if (staging.mapState === 'mapped') staging.unmap();
      staging.destroy();
      await this.check();
    }
  }

  async sync(): Promise<void> {
    this.assertAlive('sync');
    await this.device.queue.onSubmittedWorkDone();
    await this.check();
  }
}
