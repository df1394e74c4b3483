// Flag parsing for every command: one declarative list of flags gives strict parsing (node:util
// parseArgs), typed values, usage errors (exit 2) and the --help text, so they never disagree.

import { parseArgs } from 'node:util';

/** Bad usage: the CLI prints `zerograd: error: <message>` and a usage line, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Flag {
  name: string;
  /** What the help text shows as the value, e.g. 'N' or 'cnn|cnn-small|mlp'; absent for a switch. */
  value?: string;
  default?: string | number | boolean;
  help: string;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. '--checkpoint F image.png' */
  usage: string;
  description: string;
  flags: Flag[];
  examples: string[];
  positionals?: { min: number; max: number };
  run(args: Args): Promise<number>;
}

/** Every command takes these. */
export const COMMON_FLAGS: Flag[] = [
  { name: 'json', help: 'print the figures as one JSON object on the last line of standard output' },
  { name: 'debug', help: 'show the stack trace of an error' },
  { name: 'help', help: 'show this help' },
];

/** Parsed flags with typed accessors that turn a bad value into a UsageError naming the flag. */
export class Args {
  constructor(readonly command: Command, private readonly values: Record<string, string | boolean | undefined>, readonly positionals: string[]) {}

  has(name: string): boolean { return this.values[name] !== undefined; }
  flag(name: string): boolean { return this.values[name] === true; }

  string(name: string): string | undefined {
    const v = this.values[name] ?? this.default(name);
    return v === undefined ? undefined : String(v);
  }

  choice<T extends string>(name: string, choices: readonly T[]): T {
    const v = this.string(name);
    if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
    return v as T;
  }

  number(name: string, o: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {}): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const v = Number(s);
    const kind = o.integer ? 'an integer' : 'a number';
    if (s.trim() === '' || !Number.isFinite(v) || (o.integer && !Number.isInteger(v))) throw new UsageError(`--${name} must be ${kind}, got '${s}'`);
    if (o.min !== undefined && v < o.min) throw new UsageError(`--${name} must be ${kind} >= ${o.min}, got ${s}`);
    if (o.exclusiveMin !== undefined && v <= o.exclusiveMin) throw new UsageError(`--${name} must be ${kind} > ${o.exclusiveMin}, got ${s}`);
    if (o.max !== undefined && v > o.max) throw new UsageError(`--${name} must be ${kind} <= ${o.max}, got ${s}`);
    return v;
  }

  private default(name: string): string | number | boolean | undefined {
    return this.command.flags.find((f) => f.name === name)?.default;
  }
}

/** The hidden subcommand that cli/backend.ts runs in a child process to probe WebGPU quietly (cli/main.ts dispatches it). */
export const PROBE_COMMAND = '__probe-webgpu';

/** Short spellings every command takes. */
const SHORT_FLAGS: Record<string, string> = { '-h': '--help' };

/**
 * argv as parseArgs should see it: `-h` is `--help`, and a value flag followed by a negative number takes it as
 * its value (`--epochs -1` is then a range error naming the flag, not parseArgs' "ambiguous" complaint).
 */
function normalise(argv: string[], valueFlags: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = SHORT_FLAGS[argv[i]] ?? argv[i];
    if (a === '--') { out.push(...argv.slice(i)); break; }
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && valueFlags.has(a.slice(2)) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** parseArgs' messages are long and mention "strict"; say the same in one line that names the flag. */
function usageMessage(e: Error): string {
  const m = e.message;
  const flag = /Option '(-{1,2}[^' ]+)/.exec(m)?.[1];
  if (flag && /argument is ambiguous/.test(m)) return `${flag} needs a value (to give one that starts with '-', write ${flag}=VALUE)`;
  if (flag && /argument missing/.test(m)) return `${flag} needs a value`;
  if (flag && /does not take an argument/.test(m)) return `${flag} is a switch and takes no value`;
  return m.split('. ')[0].replace(/^Unknown option/, 'unknown option');
}

export function parseCommand(cmd: Command, argv: string[]): Args {
  const flags = [...cmd.flags, ...COMMON_FLAGS];
  const options = Object.fromEntries(flags.map((f) => [f.name, { type: f.value ? 'string' as const : 'boolean' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: normalise(argv, new Set(flags.filter((f) => f.value).map((f) => f.name))), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(usageMessage(e as Error));
  }
  const args = new Args(cmd, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  if (args.flag('help')) return args;
  const { min, max } = cmd.positionals ?? { min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`needs ${min === max ? min : `at least ${min}`} argument${min === 1 ? '' : 's'} (${cmd.usage})`);
  if (n > max) throw new UsageError(`unexpected argument '${parsed.positionals[max]}'${max ? ` (takes ${max === 1 ? 'one' : `at most ${max}`})` : ' (this command takes none)'}`);
  return args;
}

export function usageLine(cmd: Command): string {
  return `usage: zerograd ${cmd.name} ${cmd.usage} [--json] [--debug] [--help]`;
}

export function helpText(cmd: Command): string {
  const flags = [...cmd.flags, ...COMMON_FLAGS];
  const left = flags.map((f) => `  --${f.name}${f.value ? ` ${f.value}` : ''}`);
  const w = Math.max(...left.map((l) => l.length)) + 2;
  const rows = flags.map((f, i) => `${left[i].padEnd(w)}${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}`);
  return [
    usageLine(cmd), '', cmd.description, '', 'Options:', ...rows, '',
    'Examples:', ...cmd.examples.map((e) => `  ${e}`), '',
  ].join('\n');
}
