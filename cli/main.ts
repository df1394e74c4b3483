// The zerograd command: finds the subcommand in the table, parses its flags, runs it, and turns
// every failure into the contract's exit status (2 usage, 1 error, 130 interrupted) and one line.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { helpText, parseCommand, PROBE_COMMAND, usageLine, UsageError, type Command } from './args.js';

/** Each command lives in its own module exporting `command`; analyze and bench are written by others and may not exist yet. */
const COMMANDS: Record<string, { module: string; summary: string }> = {
  train: { module: './train.ts', summary: 'train a model on MNIST, evaluating and checkpointing each epoch' },
  eval: { module: './eval.ts', summary: 'test-set accuracy, loss and confusion matrix of a checkpoint' },
  predict: { module: './predict.ts', summary: 'the digit in a PNG image, with class probabilities' },
  summary: { module: './summary.ts', summary: 'a Keras-style table of a model\'s layers, output shapes and parameters' },
  analyze: { module: './analyze.ts', summary: 'an HTML report on the dataset (and on a model, with --checkpoint)' },
  bench: { module: './bench.ts', summary: 'our kernels and training step beside TensorFlow.js' },
  graph: { module: './graph.ts', summary: 'the autograd graph of a model\'s training loss (or of its backward pass), as SVG, DOT or Mermaid' },
  profile: { module: './profile.ts', summary: 'per-op time, memory and FLOPs of training steps, forward and backward' },
  gan: { module: './gan.ts', summary: 'a DCGAN that draws digits (conditional on request), judged by a trained cnn; sample grids' },
  pretrain: { module: './pretrain.ts', summary: 'self-supervised (SimCLR) pretraining of the mobilenetv2 backbone, labels never read' },
  finetune: { module: './finetune.ts', summary: 'fine-tune a pretrained mobilenetv2 backbone with N labels per class (frozen, then top blocks)' },
  translate: { module: './translate.ts', summary: 'the seq2seq Transformer: numbers into Chinese or English words, spelling into pronunciation' },
  lm: { module: './lm.ts', summary: 'a GPT language model: pretrain on Moby-Dick, fine-tune with LoRA on State of the Union addresses, sample' },
};

function topHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    'usage: zerograd <command> [options]', '',
    'A deep-learning engine written from zero: train, evaluate and inspect MNIST models.', '',
    'Commands:', ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(w)}${c.summary}`), '',
    'Every command takes --help, --json (the last line of output is one JSON object) and --debug (stack traces).',
    'Example:', '  zerograd train --model cnn --epochs 5 --out runs/cnn', '',
  ].join('\n');
}

async function loadCommand(name: string): Promise<Command | null> {
  const entry = COMMANDS[name];
  if (!existsSync(fileURLToPath(new URL(entry.module, import.meta.url)))) return null;
  return ((await import(entry.module)) as { command: Command }).command;
}

function fail(message: string): void {
  process.stderr.write(`zerograd: error: ${message.split('\n')[0]}\n`);
}

/** Run the CLI on argv (without node and the script); returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  if (name === PROBE_COMMAND) return (await import('./backend.js')).runProbe();
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return name === undefined ? 2 : 0;
  }
  if (!(name in COMMANDS)) {
    fail(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    process.stderr.write('usage: zerograd <command> [options]; see zerograd --help\n');
    return 2;
  }
  let cmd: Command | null = null;
  try {
    cmd = await loadCommand(name);
    if (!cmd) {
      fail(`'${name}' is not implemented yet`);
      return 1;
    }
    const args = parseCommand(cmd, rest);
    if (args.flag('help')) {
      process.stdout.write(helpText(cmd));
      return 0;
    }
    return await cmd.run(args);
  } catch (e) {
    const err = e as Error;
    if (e instanceof UsageError) {
      fail(`${name}: ${err.message}`);
      if (cmd) process.stderr.write(`${usageLine(cmd)}\n`);
      return 2;
    }
    fail(err.message ?? String(e));
    if (debug) process.stderr.write(`${err.stack ?? String(e)}\n`);
    return 1;
  }
}
