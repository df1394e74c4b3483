// The live training progress line on standard error: redrawn in place with \r on a terminal,
// one plain line every ~10 % of an epoch otherwise (logs and CI stay readable).

import type { Progress } from '../mnist/train.js';

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.max(0, Math.round(s)), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(sec).padStart(2, '0')}`;
}

export class ProgressBar {
  private lastDecile = -1;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly width = 24) {}

  get isTTY(): boolean { return Boolean(this.stream.isTTY); }

  update(p: Progress): void {
    const frac = p.step / p.steps;
    const filled = Math.round(frac * this.width);
    const text = `epoch ${p.epoch}/${p.epochs} [${'█'.repeat(filled)}${'·'.repeat(this.width - filled)}] ${p.step}/${p.steps}`
      + `  loss ${p.loss.toFixed(4)}  acc ${(100 * p.accuracy).toFixed(2)} %  ${Math.round(p.samplesPerSecond)} samples/s  ETA ${clock(p.etaSeconds)}`;
    if (this.isTTY) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile !== this.lastDecile || p.step === p.steps) {
      this.lastDecile = decile;
      this.stream.write(text + '\n');
    }
  }

  /** End the in-place line before other output. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
    this.lastDecile = -1;
  }
}
