// The autograd graph behind a tensor, as data and as text a diagram tool draws: Graphviz DOT
// (toDot) and Mermaid (toMermaid). One node per tensor: an op's output shows the op's name and the
// output's shape; a leaf shows its name (a parameter's module path, when the caller says which
// tensor is which) or 'leaf' / 'constant'. Leaves that require grad are green, constants grey, op
// outputs (which always require grad: an op is recorded only then) blue; the roots have a bold
// border. The engine knows nothing of modules: names come in as a map, as [name, tensor] pairs, or
// from anything with namedParameters() (a Module).
//
// Drawn before backward() frees the graph (or after backward({ retainGraph: true })). After
// backward({ createGraph: true }), a gradient is itself the output of recorded ops, so the graph
// behind x.grad is the backward pass, joined to the forward tensors it reads.

import { postOrder } from './autograd.js';
import { fmt } from './shape.js';
import type { Tensor } from './tensor.js';

type Named = Iterable<readonly [string, Tensor]>;
export type TensorNames = ReadonlyMap<Tensor, string> | Named | { namedParameters(): Named };

export interface GraphOptions {
  /** Which tensor is which: parameters by their module path, inputs by what they are. */
  names?: TensorNames;
}

export interface GraphNode {
  /** t0, t1, …: inputs before the ops that read them. */
  id: string;
  /** The recorded op that made it, or null for a leaf. */
  op: string | null;
  name: string | null;
  shape: number[];
  requiresGrad: boolean;
  /** One of the tensors the graph was drawn from. */
  root: boolean;
}

export interface AutogradGraph {
  nodes: GraphNode[];
  /** [input id, output id], one per input of each op (an op reading x twice has two edges). */
  edges: [string, string][];
}

function nameMap(names: TensorNames | undefined): Map<Tensor, string> {
  if (!names) return new Map();
  if (names instanceof Map) return new Map(names);
  const pairs: Named = 'namedParameters' in names ? names.namedParameters() : (names as Named);
  return new Map([...pairs].map(([n, t]) => [t, n]));
}

/** The graph behind `roots`, every tensor reachable through the recorded ops' inputs. */
export function autogradGraph(roots: Tensor | readonly Tensor[], o: GraphOptions = {}): AutogradGraph {
  const list = Array.isArray(roots) ? (roots as readonly Tensor[]) : [roots as Tensor];
  for (const r of list) {
    if (r.graphFreed) throw new Error(`autogradGraph: the graph behind ${r.describe()} was freed by backward(); draw it before, or call backward({ retainGraph: true })`);
  }
  const names = nameMap(o.names);
  const ids = new Map<Tensor, string>();
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  const rootSet = new Set(list);
  for (const t of postOrder(list)) {
    const id = `t${nodes.length}`;
    ids.set(t, id);
    nodes.push({ id, op: t.node?.name ?? null, name: names.get(t) ?? t.label ?? null, shape: [...t.shape], requiresGrad: t.requiresGrad, root: rootSet.has(t) });
    for (const input of t.node?.inputs ?? []) edges.push([ids.get(input)!, id]);
  }
  return { nodes, edges };
}

const COLOURS = { leaf: '#b7e1a1', constant: '#e0e0e0', op: '#cfe2f3' } as const;
const kind = (n: GraphNode) => (n.op ? 'op' : n.requiresGrad ? 'leaf' : 'constant');

/** The node's two lines: what it is, and its shape. */
function labelLines(n: GraphNode): [string, string] {
  const what = n.op ? (n.name ? `${n.name} = ${n.op}` : n.op) : n.name ?? kind(n);
  return [what, fmt(n.shape)];
}

/** Graphviz DOT text of the graph behind `roots` (render with `dot -Tsvg`). */
export function toDot(roots: Tensor | readonly Tensor[], o: GraphOptions = {}): string {
  const g = autogradGraph(roots, o);
  const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return [
    'digraph autograd {',
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    ...g.nodes.map((n) => {
      const [a, b] = labelLines(n);
      return `  ${n.id} [label="${q(a)}\\n${q(b)}", fillcolor="${COLOURS[kind(n)]}"${n.root ? ', penwidth=2' : ''}];`;
    }),
    ...g.edges.map(([a, b]) => `  ${a} -> ${b};`),
    '}',
    '',
  ].join('\n');
}

/** Mermaid flowchart text of the graph behind `roots` (renders in GitHub Markdown). */
export function toMermaid(roots: Tensor | readonly Tensor[], o: GraphOptions = {}): string {
  const g = autogradGraph(roots, o);
  const q = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
  return [
    'flowchart TD',
    ...g.nodes.map((n) => {
      const [a, b] = labelLines(n);
      return `  ${n.id}["${q(a)}<br/>${q(b)}"]:::${kind(n)}${n.root ? 'Root' : ''}`;
    }),
    ...g.edges.map(([a, b]) => `  ${a} --> ${b}`),
    ...(['leaf', 'constant', 'op'] as const).flatMap((k) => [
      `  classDef ${k} fill:${COLOURS[k]},stroke:#555`,
      `  classDef ${k}Root fill:${COLOURS[k]},stroke:#000,stroke-width:3px`,
    ]),
    '',
  ].join('\n');
}
