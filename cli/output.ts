// Standard output for every command: human lines, and with --json a final line holding one JSON object.

export function say(line = ''): void {
  process.stdout.write(line + '\n');
}

/** The last line of standard output under --json. */
export function printJson(result: object): void {
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** A one-line note on standard error (warnings, the backend picked when stdout carries JSON). */
export function note(line: string): void {
  process.stderr.write(line + '\n');
}

export const percent = (v: number, digits = 2) => `${(100 * v).toFixed(digits)} %`;

/** "1 step", "2 steps": a count and its noun, with the plural only where it belongs. */
export const plural = (n: number, noun: string, many = `${noun}s`) => `${n.toLocaleString('en')} ${n === 1 ? noun : many}`;
