// safetensors: bit-exact round trips and a clear error for each kind of malformed file.
import { describe, expect, it } from 'vitest';
import { tensor } from '../engine/index.js';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors, SafetensorsError, type HostTensor } from '../nn/index.js';

function withHeader(header: object, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const errorOf = (bytes: Uint8Array) => {
  try { decodeSafetensors(bytes); } catch (e) { expect(e).toBeInstanceOf(SafetensorsError); return (e as Error).message; }
  throw new Error('expected an error');
};

describe('safetensors', () => {
  it('round-trips F32 and I32 bit for bit, with metadata', () => {
    const f = new Float32Array([1.5, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 0.1]);
    const bits = new Uint32Array([0x7fc00001]); // a NaN with a payload
    const nan = new Float32Array(bits.buffer);
    const tensors = new Map<string, HostTensor>([
      ['a.weight', { dtype: 'F32', shape: [7], data: f }],
      ['nan', { dtype: 'F32', shape: [1], data: nan }],
      ['ids', { dtype: 'I32', shape: [2, 2], data: new Int32Array([-2147483648, 0, 7, 2147483647]) }],
      ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
    ]);
    const bytes = encodeSafetensors(tensors, { model: 'cnn' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ model: 'cnn' });
    expect([...back.tensors.keys()]).toEqual(['a.weight', 'nan', 'ids', 'empty']);
    for (const [k, t] of tensors) {
      const b = back.tensors.get(k)!;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
    }
    expect(encodeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
  });

  it('round-trips engine tensors', async () => {
    const w = tensor([[1, 2, 3], [4, 5, 6]]);
    const { tensors } = loadSafetensors(await saveSafetensors(new Map([['w', w]])));
    expect(tensors.get('w')!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get('w')!.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('says what is wrong with a malformed file', () => {
    expect(errorOf(new Uint8Array(5))).toMatch(/too short/);
    const huge = new Uint8Array(16); new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(errorOf(huge)).toMatch(/header length 1000 runs past the end/);
    const notJson = withHeader({}); notJson[8] = 0x7b; notJson[9] = 0x7b;
    expect(errorOf(notJson)).toMatch(/not valid JSON/);
    expect(errorOf(withHeader({ w: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, 2))).toMatch(/'w': dtype "F16" is not supported/);
    expect(errorOf(withHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4))).toMatch(/'w': shape \[2\] of F32 needs 8 bytes/);
    expect(errorOf(withHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4))).toMatch(/run past the 4 bytes of data/);
    expect(errorOf(withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8))).toMatch(/4 unused bytes before 'w'/);
    expect(errorOf(withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }))).toMatch(/shape must be a list of non-negative integers/);
    expect(errorOf(withHeader({ __metadata__: { epoch: 3 } }))).toMatch(/__metadata__ value 'epoch' must be a string/);
  });
});
