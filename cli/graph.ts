// `zerograd graph`: the autograd graph of a classifier's training loss (or of its backward pass,
// recorded under createGraph), as an SVG drawn by Graphviz, or as DOT or Mermaid text.

import { spawnSync } from 'node:child_process';
import { extname } from 'node:path';
import { autogradGraph, manualSeed, toDot, toMermaid, zeros, type Tensor } from '../engine/index.js';
import { writeFileAtomic } from '../io/files.js';
import { buildModel, modelNames } from '../models/index.js';
import { crossEntropy, type Module } from '../nn/index.js';
import { UsageError, type Args, type Command } from './args.js';
import { note, printJson, say } from './output.js';

const RENDERED = ['.svg', '.png', '.pdf'];

export const command: Command = {
  name: 'graph',
  summary: 'the autograd graph of a model\'s training loss',
  usage: '[--model cnn] [--out graph.svg] [--backward]',
  description: [
    'Runs one training example (zeros, label 0) through a classifier in training mode, takes the cross-entropy loss, and draws the',
    'graph autograd recorded: one box per tensor, an op\'s output labelled with the op and its shape, parameters (green) by their',
    'module path, constants (the input, dropout\'s mask) grey, the loss with a bold border. With --backward it runs',
    'backward({ createGraph: true }) and draws the graph behind every parameter\'s gradient instead: the backward pass as ops,',
    'joined to the forward tensors it reads, which is what a second-order gradient runs back through.',
    'The format follows --out: .svg, .png or .pdf are drawn by Graphviz\'s dot (the .dot file is kept beside; without Graphviz',
    'only the .dot is written, with a hint), .dot is DOT text, .mmd Mermaid text, .md a Markdown file with a Mermaid block.',
  ].join('\n'),
  flags: [
    { name: 'model', value: modelNames('classification').join('|'), default: 'cnn', help: 'architecture' },
    { name: 'out', value: 'FILE', default: 'graph.svg', help: 'where to write it (.svg .png .pdf .dot .mmd .md)' },
    { name: 'backward', help: 'draw the backward pass (the graph of every parameter\'s gradient under createGraph)' },
    { name: 'batch', value: 'N', default: 1, help: 'examples in the batch (only the shapes change)' },
    { name: 'seed', value: 'N', default: 0, help: 'seed for the weights' },
  ],
  examples: ['zerograd graph --model cnn --out graph.svg', 'zerograd graph --model cnn-small --backward --out backward.svg', 'zerograd graph --model mlp --out graph.md --json'],
  run,
};

/** The loss of one training batch and the names of the tensors in its graph. */
function lossGraph(name: string, batch: number, backward: boolean): { roots: Tensor[]; names: Map<Tensor, string>; params: number } {
  const { model, inputShape } = buildModel(name);
  (model as Module).train();
  const x = zeros([batch, ...inputShape]);
  const loss = crossEntropy((model as Module).forward(x), zeros([batch], { dtype: 'int32' }));
  const named = (model as Module).namedParameters();
  const names = new Map<Tensor, string>([...named.map(([n, t]): [Tensor, string] => [t, n]), [x, 'input'], [loss, 'loss']]);
  if (!backward) return { roots: [loss], names, params: named.length };
  loss.backward(undefined, { createGraph: true });
  for (const [n, p] of named) names.set(p.grad!, `∂loss/∂${n}`);
  return { roots: named.map(([, p]) => p.grad!), names, params: named.length };
}

async function run(args: Args): Promise<number> {
  const name = args.choice('model', modelNames('classification'));
  const out = args.string('out')!;
  const ext = extname(out).toLowerCase();
  if (![...RENDERED, '.dot', '.gv', '.mmd', '.md'].includes(ext)) throw new UsageError(`--out must end in .svg, .png, .pdf, .dot, .mmd or .md, got '${out}'`);
  const batch = args.number('batch', { integer: true, min: 1 })!;
  const backward = args.flag('backward');
  manualSeed(args.number('seed', { integer: true, min: 0 })!);
  const { roots, names, params } = lossGraph(name, batch, backward);
  const g = autogradGraph(roots, { names });
  const ops: Record<string, number> = {};
  for (const n of g.nodes) if (n.op) ops[n.op] = (ops[n.op] ?? 0) + 1;

  let written = out, rendered = false, dotFile: string | null = null;
  if (ext === '.mmd') writeFileAtomic(out, toMermaid(roots, { names }));
  else if (ext === '.md') writeFileAtomic(out, `\`\`\`mermaid\n${toMermaid(roots, { names })}\`\`\`\n`);
  else if (ext === '.dot' || ext === '.gv') writeFileAtomic(out, toDot(roots, { names }));
  else {
    dotFile = out.slice(0, -ext.length) + '.dot';
    writeFileAtomic(dotFile, toDot(roots, { names }));
    const r = spawnSync('dot', [`-T${ext.slice(1)}`, '-o', out, dotFile], { encoding: 'utf8' });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      written = dotFile;
      note(`graph: Graphviz's dot is not installed (Debian: apt-get install graphviz), so only ${dotFile} was written; draw it with: dot -T${ext.slice(1)} ${dotFile} -o ${out}`);
    } else if (r.status !== 0) {
      throw new Error(`dot -T${ext.slice(1)} ${dotFile} failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]}`);
    } else {
      rendered = true;
    }
  }
  const what = backward ? `the backward pass (graph of ${params} parameter gradients, createGraph)` : 'the training loss';
  const top = Object.entries(ops).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ');
  say(`${name}: ${what}: ${g.nodes.length} tensors (${g.nodes.filter((n) => n.op).length} op outputs, ${g.nodes.filter((n) => !n.op && n.requiresGrad).length} parameters), ${g.edges.length} edges`);
  say(`ops: ${top}`);
  say(`wrote ${written}${rendered && dotFile ? ` (and ${dotFile})` : ''}`);
  if (args.flag('json')) {
    printJson({ model: name, backward, nodes: g.nodes.length, edges: g.edges.length, parameters: g.nodes.filter((n) => !n.op && n.requiresGrad).length, ops, out: written, dot: dotFile, rendered });
  }
  return 0;
}
