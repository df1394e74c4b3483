// The Tensor: a shape, a dtype, a handle to a backend buffer, and the autograd fields. It owns
// no math: ops (engine/ops) compute, engine/methods.ts attaches them as methods.

import type { Backend, DType, Storage, TensorInfo, TypedArray } from './backend/backend.js';
import { getBackend } from './backend/registry.js';
import { track } from './scope.js';
import { fmt, sizeOf, type Shape } from './shape.js';

/** A reference-counted backend buffer: reshape and alias share one, the last dispose frees it. */
class DataRef {
  refs = 1;
  constructor(readonly backend: Backend, readonly storage: Storage) {}
  release(): void {
    if (--this.refs === 0) this.backend.dispose(this.storage);
  }
}

/** One recorded op: its inputs and how to turn the output's gradient into the inputs'. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** One gradient per input (null where the input needs none), each of that input's shape or of
   *  a shape the input broadcasts to (backward() sums it down). */
  readonly backward: (grad: Tensor) => readonly (Tensor | null)[];
}

let liveTensors = 0;
let nextId = 0;

export function liveTensorCount(): number { return liveTensors; }

export class Tensor implements TensorInfo {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  private ref: DataRef | null;
  private _requiresGrad = false;
  /** Accumulated gradient of a leaf after backward(). */
  grad: Tensor | null = null;
  /** How this tensor was computed, when grad is being recorded. */
  node: GradNode | null = null;
  /** Name of the non-differentiable op this came out of while an input required grad (for errors). */
  blockedBy: string | null = null;
  /** Set once backward() has freed the graph that produced this tensor. */
  graphFreed = false;
  /** Optional label (parameters carry their name here, for error messages). */
  label?: string;

  private constructor(ref: DataRef, shape: readonly number[], dtype: DType) {
    this.ref = ref;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    liveTensors++;
    track(this);
  }

  /** Wrap a freshly made backend buffer (the buffer's ownership moves to the tensor). */
  static fromStorage(storage: Storage, shape: Shape, dtype: DType, backend: Backend = getBackend()): Tensor {
    if (storage.size !== sizeOf(shape)) {
      throw new Error(`internal: buffer of ${storage.size} elements for shape ${fmt(shape)}`);
    }
    return new Tensor(new DataRef(backend, storage), shape, dtype);
  }

  /** A new tensor on the same buffer with another shape of the same size (no copy). */
  shareAs(shape: Shape): Tensor {
    const ref = this.live('reshape');
    ref.refs++;
    return new Tensor(ref, shape, this.dtype);
  }

  get storage(): Storage { return this.live('read').storage; }
  get backend(): Backend { return this.live('read').backend; }
  get size(): number { return sizeOf(this.shape); }
  get ndim(): number { return this.shape.length; }
  get isDisposed(): boolean { return this.ref === null; }

  get requiresGrad(): boolean { return this._requiresGrad; }
  set requiresGrad(v: boolean) {
    if (v && this.dtype !== 'float32') {
      throw new Error(`requiresGrad: only float32 tensors can require gradients (this one is ${this.dtype} ${fmt(this.shape)})`);
    }
    this._requiresGrad = v;
  }

  /** A leaf is a tensor the user made, not the output of a recorded op. */
  get isLeaf(): boolean { return this.node === null; }

  private live(what: string): DataRef {
    if (!this.ref) {
      throw new Error(`${what}: tensor ${this.describe()} was disposed; keep it out of tidy() (return it or call keep()) if you still need it`);
    }
    return this.ref;
  }

  describe(): string {
    return `${this.label ? `'${this.label}' ` : ''}${this.dtype}${fmt(this.shape)}`;
  }

  dispose(): void {
    if (!this.ref) return;
    this.ref.release();
    this.ref = null;
    this.node = null;
    liveTensors--;
  }

  /** Read the values. Async because on WebGPU it maps a buffer. */
  async data(): Promise<TypedArray> {
    const ref = this.live('data');
    return ref.backend.read(ref.storage);
  }

  /** Synchronous read, CPU backend only. */
  dataSync(): TypedArray {
    const ref = this.live('dataSync');
    if (!ref.backend.readSync) throw new Error(`dataSync: the ${ref.backend.name} backend can only be read asynchronously; use await t.data()`);
    return ref.backend.readSync(ref.storage);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor has ${this.size} elements (shape ${fmt(this.shape)}); item() needs exactly one`);
    return (await this.data())[0];
  }

  /** Nested arrays, like PyTorch's tolist(). */
  async tolist(): Promise<unknown> {
    const d = await this.data();
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return d[off];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${this.describe()}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}
