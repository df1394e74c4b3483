// Fuzzing the readers: a few hundred seeded mutations of real IDX (plain and gzipped), PNG, CIFAR-10
// and safetensors/checkpoint bytes — bit flips, truncation at random offsets, huge declared sizes —
// each either loads or raises the library's own error type, never a RangeError or TypeError, and
// the process never grows by more than a few hundred MB.
import { resourceUsage } from 'node:process';
import { gzipSync } from 'node:zlib';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, setBackend } from '../engine/index.js';
import { DataError } from '../io/files.js';
import { parseCifarBatch, CIFAR_RECORD } from '../mnist/cifar.js';
import { pngToPicture } from '../mnist/png.js';
import { parseIdx, type IdxKind } from '../mnist/idx.js';
import { buildModel, restoreModel } from '../models/index.js';
import { cardMetadata, CheckpointError, decodeSafetensors, saveSafetensors, SafetensorsError } from '../nn/index.js';
import { mulberry32, type Rng } from '../train/order.js';

const int = (rng: Rng, n: number) => Math.floor(rng() * n);

function idxFile(kind: IdxKind, dims: number[], rng: Rng): Uint8Array {
  const head = 4 + 4 * dims.length, n = dims.reduce((a, b) => a * b, 1);
  const b = new Uint8Array(head + n);
  const v = new DataView(b.buffer);
  v.setUint32(0, kind === 'images' ? 0x803 : 0x801);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  for (let i = head; i < b.length; i++) b[i] = kind === 'labels' ? int(rng, 10) : int(rng, 256);
  return b;
}

/** Rewrite a PNG chunk's CRC after its bytes were changed on purpose (so the header check, not the CRC, is what refuses it). */
function fixCrc(png: Uint8Array, chunkAt: number): void {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const len = v.getUint32(chunkAt);
  let c = 0xffffffff;
  for (const byte of png.subarray(chunkAt + 4, chunkAt + 8 + len)) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  v.setUint32(chunkAt + 8 + len, (c ^ 0xffffffff) >>> 0);
}

type Mutation = (b: Uint8Array, rng: Rng) => Uint8Array;
const flips: Mutation = (b, rng) => {
  const out = b.slice();
  for (let k = 1 + int(rng, 8); k > 0; k--) out[int(rng, out.length)] ^= 1 << int(rng, 8);
  return out;
};
const truncate: Mutation = (b, rng) => b.slice(0, int(rng, b.length));
/** A header field set to a huge value: 0xffffffff, 2^31, or 50000. */
const huge = (at: number, fix?: (b: Uint8Array) => void): Mutation => (b, rng) => {
  const out = b.slice();
  new DataView(out.buffer).setUint32(at, [0xffffffff, 0x80000000, 50000][int(rng, 3)]);
  fix?.(out);
  return out;
};

interface Reader { name: string; base: Uint8Array; read(b: Uint8Array): unknown; errors: (new (...a: never[]) => Error)[]; mutations: Mutation[] }

const tally = { cases: 0, loaded: 0, refused: 0 };

function fuzz(r: Reader, cases: number, seed: number): void {
  const rng = mulberry32(seed);
  const wrongType: string[] = [];
  for (let k = 0; k < cases; k++) {
    const m = r.mutations[k % r.mutations.length];
    const bytes = m(r.base, rng);
    tally.cases++;
    try {
      r.read(bytes);
      tally.loaded++;
    } catch (e) {
      if (r.errors.some((E) => e instanceof E)) tally.refused++;
      else wrongType.push(`${r.name} case ${k} (${m === flips ? 'bit flips' : m === truncate ? 'truncation' : 'huge size'}): ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  expect(wrongType).toEqual([]);
}

describe('readers under fuzzing', () => {
  const rss0 = resourceUsage().maxRSS;
  let checkpoint: Uint8Array;

  beforeAll(async () => {
    await setBackend('cpu');
    manualSeed(3);
    const { model, config, inputShape } = buildModel('cnn-small', { size: 12, classes: 4 });
    const card = { architecture: 'cnn-small', config, task: 'classification', input_shape: inputShape, dataset: { name: 'fuzz', classes: ['a', 'b', 'c', 'd'] }, normalisation: { mean: [0.1], std: [0.3] } };
    checkpoint = await saveSafetensors(model.stateDict(), cardMetadata(card));
    model.dispose();
  });

  it('IDX images and labels, plain and gzipped', () => {
    const rng = mulberry32(1);
    const images = idxFile('images', [20, 28, 28], rng), labels = idxFile('labels', [20], rng);
    const idxMutations = (hugeAt: number[]) => [flips, truncate, ...hugeAt.map((at) => huge(at))];
    fuzz({ name: 'idx images', base: images, read: (b) => parseIdx(b, 'images', 'fuzz-images'), errors: [DataError], mutations: idxMutations([4, 8, 12]) }, 60, 11);
    fuzz({ name: 'idx labels', base: labels, read: (b) => parseIdx(b, 'labels', 'fuzz-labels'), errors: [DataError], mutations: idxMutations([4]) }, 30, 12);
    fuzz({ name: 'idx.gz images', base: gzipSync(images), read: (b) => parseIdx(b, 'images', 'fuzz-images.gz'), errors: [DataError], mutations: [flips, truncate, huge(4), (b) => { const o = b.slice(); new DataView(o.buffer).setUint32(o.length - 4, 0xffffffff, true); return o; }] }, 60, 13);
  });

  it('PNG: gray, RGB with alpha, palette, 16-bit', () => {
    const rng = mulberry32(2);
    const pngs = [
      encode({ width: 24, height: 20, data: Uint8Array.from({ length: 480 }, () => int(rng, 256)), channels: 1, depth: 8 }),
      encode({ width: 16, height: 16, data: Uint8Array.from({ length: 1024 }, () => int(rng, 256)), channels: 4, depth: 8 }),
      encode({ width: 9, height: 7, data: Uint8Array.from({ length: 63 }, () => int(rng, 4)), channels: 1, depth: 8, palette: [[0, 0, 0], [255, 0, 0], [0, 255, 0], [255, 255, 255]] }),
      encode({ width: 10, height: 10, data: Uint16Array.from({ length: 300 }, () => int(rng, 65536)), channels: 3, depth: 16 }),
    ];
    // IHDR starts at byte 8: width at 16, height at 20; a huge size with a valid CRC must be refused from the header.
    const hugeSide = (at: number) => huge(at, (b) => fixCrc(b, 8));
    pngs.forEach((base, i) => fuzz({ name: `png ${i}`, base, read: (b) => pngToPicture(b, 'fuzz.png', i === 1 ? 3 : 1), errors: [DataError], mutations: [flips, truncate, hugeSide(16), hugeSide(20)] }, 50, 20 + i));
  });

  it('CIFAR-10 batches', () => {
    const rng = mulberry32(3);
    const base = Uint8Array.from({ length: 4 * CIFAR_RECORD }, (_, i) => (i % CIFAR_RECORD === 0 ? int(rng, 10) : int(rng, 256)));
    fuzz({ name: 'cifar', base, read: (b) => parseCifarBatch(b, 'fuzz.bin'), errors: [DataError], mutations: [flips, truncate] }, 30, 30);
  });

  it('safetensors and model checkpoints (card, config, weights)', () => {
    // The 8-byte header length as a huge number, and flips aimed at the JSON header where the card lives.
    const hugeHeader: Mutation = (b, rng) => { const o = b.slice(); new DataView(o.buffer).setBigUint64(0, [2n ** 63n, 2n ** 40n, BigInt(o.length)][int(rng, 3)], true); return o; };
    const headerLen = Number(new DataView(checkpoint.buffer, checkpoint.byteOffset).getBigUint64(0, true));
    const headerFlips: Mutation = (b, rng) => { const o = b.slice(); for (let k = 1 + int(rng, 3); k > 0; k--) o[8 + int(rng, headerLen)] ^= 1 << int(rng, 8); return o; };
    const mutations = [flips, truncate, hugeHeader, headerFlips, headerFlips];
    fuzz({ name: 'safetensors', base: checkpoint, read: (b) => decodeSafetensors(b), errors: [SafetensorsError], mutations }, 50, 40);
    fuzz({
      name: 'checkpoint', base: checkpoint, errors: [CheckpointError], mutations,
      read: (b) => restoreModel(b, 'fuzz.safetensors').model.dispose(),
    }, 100, 41);
  });

  it('ran a few hundred cases within a few hundred MB', () => {
    // maxRSS is in KiB: the peak of this test process, over everything above.
    const grewMb = (resourceUsage().maxRSS - rss0) / 1024;
    console.log(`readers fuzz: ${tally.cases} cases, ${tally.loaded} loaded, ${tally.refused} refused with the library's own error; peak RSS grew ${grewMb.toFixed(0)} MB`);
    expect(tally.cases).toBeGreaterThanOrEqual(500);
    expect(tally.refused).toBeGreaterThan(tally.cases / 2);
    expect(grewMb).toBeLessThan(300);
  });
});
