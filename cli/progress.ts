// The live training progress line on standard error: redrawn in place with \r on a terminal,
// one plain line every ~10 % of an epoch otherwise (logs and CI stay readable).

import type { Progress } from '../train/index.js';

export function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.max(0, Math.round(s)), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(sec).padStart(2, '0')}`;
}

const SHORT: Record<string, string> = { accuracy: 'acc' };

/** A metric as people read it: shares as percentages, losses to four places. */
export function formatMetric(name: string, v: number): string {
  if (/acc|share|agree/.test(name)) return `${(100 * v).toFixed(2)} %`;
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

export const metricLine = (m: Record<string, number>) =>
  Object.entries(m).map(([k, v]) => `${SHORT[k] ?? k.replace(/_/g, ' ')} ${formatMetric(k, v)}`).join('  ');

export class ProgressBar {
  private lastDecile = -1;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly width = 24, private readonly unit = 'samples') {}

  get isTTY(): boolean { return Boolean(this.stream.isTTY); }

  update(p: Progress): void {
    const frac = p.step / p.steps;
    const filled = Math.round(frac * this.width);
    const text = `epoch ${p.epoch}/${p.epochs} [${'█'.repeat(filled)}${'·'.repeat(this.width - filled)}] ${p.step}/${p.steps}`
      + `  ${metricLine(p.metrics)}  ${Math.round(p.samplesPerSecond)} ${this.unit}/s  ETA ${clock(p.etaSeconds)}`;
    this.line(text, frac, p.step === p.steps);
  }

  /** A one-off status line (an evaluation that takes seconds), replaced by the next update. */
  status(text: string): void {
    if (this.isTTY) { this.stream.write(`\r\x1b[2K${text}`); this.drawn = true; } else this.stream.write(text + '\n');
    this.counting = text;
  }

  private counting = '';

  /**
   * How far a wait that is not a training epoch has got (an evaluation, a benchmark section): redrawn in place
   * on a terminal; in a log, one line when a new `label` starts (a log needs to know what is running, not each step).
   */
  count(label: string, done: number, total: number): void {
    if (this.isTTY) {
      this.stream.write(`\r\x1b[2K${label} ${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
      this.drawn = true;
    } else if (this.counting !== label) {
      this.stream.write(`${label} (${total.toLocaleString('en')})…\n`);
    }
    this.counting = label;
  }

  private line(text: string, frac: number, last: boolean): void {
    if (this.isTTY) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile !== this.lastDecile || last) {
      this.lastDecile = decile;
      this.stream.write(text + '\n');
    }
  }

  /** End the in-place line before other output. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
    this.lastDecile = -1;
    this.counting = '';
  }
}
