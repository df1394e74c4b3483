// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
// (dtype, shape, data_offsets per tensor, optional string __metadata__), then raw little-endian
// data. nn produces and consumes bytes; files are cli/'s and mnist/'s business.

import { tensor, type Tensor } from '../../engine/index.js';

export type SafeDType = 'F32' | 'I32';

/** One tensor's values on the host. */
export interface HostTensor { dtype: SafeDType; shape: number[]; data: Float32Array | Int32Array }

export interface SafetensorsFile { tensors: Map<string, HostTensor>; metadata: Record<string, string> }

/** A malformed safetensors buffer; the message says what and where. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<SafeDType, number> = { F32: 4, I32: 4 };

/** Serialise tensors (in the map's order) and optional string metadata. */
export function encodeSafetensors(tensors: Map<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new SafetensorsError('safetensors: a tensor may not be named __metadata__');
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new SafetensorsError(`safetensors: '${name}' has ${t.data.length} values for shape [${t.shape.join(',')}]`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n * BYTES[t.dtype]] };
    offset += n * BYTES[t.dtype];
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // align the data to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let pos = 8 + head.length;
  for (const t of tensors.values()) {
    // Copy the 32-bit patterns, little-endian, so every value (NaN payloads too) survives bit for bit.
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < bits.length; i++, pos += 4) view.setUint32(pos, bits[i], true);
  }
  return out;
}

/** Parse and validate; every error names what is wrong (and which tensor). */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fail = (msg: string): never => { throw new SafetensorsError(`safetensors: ${msg}`); };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.length - 8) fail(`header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const dataStart = 8 + headerLen, dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, HostTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry as object)) {
        if (typeof v !== 'string') fail(`__metadata__ value '${k}' must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`'${name}': entry must be an object with dtype, shape and data_offsets`);
    if (e.dtype !== 'F32' && e.dtype !== 'I32') fail(`'${name}': dtype ${JSON.stringify(e.dtype)} is not supported (F32 or I32)`);
    const dtype = e.dtype as SafeDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`'${name}': shape must be a list of non-negative integers, got ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[0] > offs[1]) {
      fail(`'${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const n = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== n * BYTES[dtype]) fail(`'${name}': shape [${shape.join(',')}] of ${dtype} needs ${n * BYTES[dtype]} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    if (end > dataLen) fail(`'${name}': data_offsets [${begin}, ${end}] run past the ${dataLen} bytes of data (truncated file?)`);
    spans.push([begin, end, name]);
    const bits = new Uint32Array(n);
    for (let i = 0; i < n; i++) bits[i] = view.getUint32(dataStart + begin + 4 * i, true);
    tensors.set(name, { dtype, shape, data: dtype === 'F32' ? new Float32Array(bits.buffer) : new Int32Array(bits.buffer) });
  }
  // The format allows no holes and no overlaps: the spans tile the data exactly.
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let pos = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== pos) fail(begin < pos ? `'${name}' overlaps the tensor before it` : `${begin - pos} unused bytes before '${name}'`);
    pos = end;
  }
  if (pos !== dataLen) fail(`${dataLen - pos} bytes of data after the last tensor`);
  return { tensors, metadata };
}

/** Tensors (read from their backend) to safetensors bytes. */
export async function saveSafetensors(tensors: Map<string, Tensor>, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const host = new Map<string, HostTensor>();
  for (const [name, t] of tensors) {
    host.set(name, { dtype: t.dtype === 'int32' ? 'I32' : 'F32', shape: [...t.shape], data: (await t.data()) as Float32Array | Int32Array });
  }
  return encodeSafetensors(host, metadata);
}

/** Safetensors bytes to tensors on the current backend (the caller owns them). */
export function loadSafetensors(bytes: Uint8Array): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const f = decodeSafetensors(bytes);
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of f.tensors) tensors.set(name, tensor(t.data, { shape: t.shape }));
  return { tensors, metadata: f.metadata };
}
