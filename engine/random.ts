// Seeded randomness for everything (init, dropout, shuffling, augmentation): same seed, same run.
// xoshiro128** is small, fast in 32-bit JavaScript arithmetic and statistically sound for ML use.

export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) { this.seed(seed); }

  /** Expand one integer seed into the 128-bit state with splitmix32, as the xoshiro authors advise. */
  seed(n: number): void {
    let x = n >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  random(): number { return this.nextU32() / 4294967296; }

  /** Standard normal (Box-Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  int(low: number, high: number): number { return low + Math.floor(this.random() * (high - low)); }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
  }

  /** Snapshot and restore, so a resumed run continues the same random stream. */
  getState(): number[] { return [...this.s, this.spare === null ? NaN : this.spare]; }
  setState(st: readonly number[]): void {
    for (let i = 0; i < 4; i++) this.s[i] = st[i] >>> 0;
    this.spare = Number.isNaN(st[4]) ? null : st[4];
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/** The default generator behind rand/randn/dropout/init. */
export const defaultGenerator = new Generator(0);

/** PyTorch's torch.manual_seed. */
export function manualSeed(n: number): void { defaultGenerator.seed(n); }
