// Numbers into words, the first translation task: Arabic numerals to Chinese numerals and to
// English words, for every integer in [0, 10^12). The rules are written out here (and checked
// against a hand-written table in test/text-numbers.test.ts); the pairs are generated, with a
// held-out set of numbers that no training pair ever contains.

const ZH_DIGITS = '零一二三四五六七八九';
const ZH_UNITS = ['', '十', '百', '千'];
const ZH_GROUPS = ['', '万', '亿'];

export const MAX_NUMBER = 1e12;

function checkNumber(n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0 && n < MAX_NUMBER)) throw new RangeError(`numbers: ${n} is not an integer in [0, 10^12)`);
}

/** One group of four digits (0 < v < 10000), with 零 for each run of zeros between nonzero digits and 一十 kept. */
function zhGroup(v: number): string {
  let out = '', zero = false;
  for (let p = 3; p >= 0; p--) {
    const d = Math.floor(v / 10 ** p) % 10;
    if (d === 0) { if (out) zero = true; continue; }
    out += (zero ? '零' : '') + ZH_DIGITS[d] + ZH_UNITS[p];
    zero = false;
  }
  return out;
}

/**
 * Chinese numerals (小写, 二 throughout): groups of four digits under 亿 and 万; 零 stands for each run
 * of zeros between nonzero digits, also across groups (一亿零一, 二十万零一, 一千万零一十) but never at
 * the end (二千万); a group below 1000 after a higher one starts with 零; 一十 is said 十 only at the
 * very start (十五, 十万, but 一百一十, 十亿零一十万).
 */
export function toChinese(n: number): string {
  checkNumber(n);
  if (n === 0) return '零';
  const groups = [n % 1e4, Math.floor(n / 1e4) % 1e4, Math.floor(n / 1e8)];
  let out = '', zero = false;
  for (let g = 2; g >= 0; g--) {
    const v = groups[g];
    if (v === 0) { if (out) zero = true; continue; }
    if (out && (zero || v < 1000)) out += '零';
    out += zhGroup(v) + ZH_GROUPS[g];
    zero = false;
  }
  return out.startsWith('一十') ? out.slice(1) : out;
}

const EN_ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const EN_SCALES = ['', 'thousand', 'million', 'billion'];

function enBelow1000(v: number): string[] {
  const words: string[] = [];
  const h = Math.floor(v / 100), r = v % 100;
  if (h) words.push(EN_ONES[h], 'hundred');
  if (r >= 20) words.push(EN_TENS[Math.floor(r / 10)] + (r % 10 ? `-${EN_ONES[r % 10]}` : ''));
  else if (r) words.push(EN_ONES[r]);
  return words;
}

/** American English without "and": 2047 → "two thousand forty-seven", 1000001 → "one million one". */
export function toEnglish(n: number): string {
  checkNumber(n);
  if (n === 0) return 'zero';
  const words: string[] = [];
  for (let g = 3; g >= 0; g--) {
    const v = Math.floor(n / 1000 ** g) % 1000;
    if (v) words.push(...enBelow1000(v), ...(EN_SCALES[g] ? [EN_SCALES[g]] : []));
  }
  return words.join(' ');
}

/** A 32-bit mix of n (splitmix-style on its two halves): which numbers are held out. */
function mix(n: number): number {
  let h = (n % 4294967296) ^ Math.imul(Math.floor(n / 4294967296), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One number in 20 is held out: training never shows it, the test set is drawn from these only. */
export const isHeldOut = (n: number) => mix(n) % 20 === 0;

/** Lengths 1–12 digits equally often; half the numbers have uniform digits, half mostly zeros (the 零 rules). */
export function sampleNumber(random: () => number): number {
  const len = 1 + Math.floor(random() * 12);
  const zeroRate = random() < 0.5 ? 0.1 : 0.6;
  let n = len === 1 ? Math.floor(random() * 10) : 1 + Math.floor(random() * 9);
  for (let i = 1; i < len; i++) n = n * 10 + (random() < zeroRate ? 0 : 1 + Math.floor(random() * 9));
  return n;
}

export type NumbersLanguage = 'zh' | 'en';

export interface Pair { src: string; tgt: string[] }

/**
 * `count` pairs of held-out numbers only (`heldOut`) or never them. Test sets are `distinct`;
 * training draws repeat, so the few 1- and 2-digit numbers are seen as often as any length (drawn
 * distinct, each would appear once among tens of thousands of pairs, and a model would not learn them).
 */
export function numberPairs(language: NumbersLanguage, count: number, heldOut: boolean, random: () => number, distinct = heldOut): Pair[] {
  const say = language === 'zh' ? toChinese : toEnglish;
  const seen = new Set<number>();
  const out: Pair[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > count * 200) throw new Error(`numbers: could not draw ${count} distinct ${heldOut ? 'held-out' : 'training'} numbers`);
    const n = sampleNumber(random);
    if (isHeldOut(n) !== heldOut || (distinct && seen.has(n))) continue;
    seen.add(n);
    out.push({ src: String(n), tgt: [say(n)] });
  }
  return out;
}
