// Reverse-mode autograd over a graph recorded as ops run (define-by-run, as in PyTorch).
// An op calls record() with its output and a closure that maps the output's gradient to its
// inputs' gradients; backward() walks the graph in reverse topological order.
//
// A backward closure may return a gradient of the broadcast (output) shape for an input that was
// broadcast: backward() sums it down to the input's shape once, here, as tinygrad does, so every
// rule stays a one-liner (add's is (g) => [g, g], expand's is (g) => [g]). This file imports no
// op module: the little arithmetic it needs (accumulate, ones, sum-to-shape and its adjoint) is
// written directly with backend kernels, so the ops can all depend on it without a cycle.

import type { Backend } from './backend/backend.js';
import { profiling } from './profiler.js';
import { keep, tidy } from './scope.js';
import { broadcastStrides, fmt, sameShape, type Shape } from './shape.js';
import { Tensor, type GradNode } from './tensor.js';

let gradEnabled = true;

export function isGradEnabled(): boolean { return gradEnabled; }

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try { return fn(); } finally { gradEnabled = prev; }
}

/** Run fn without recording a graph (evaluation, optimiser updates). */
export function noGrad<T>(fn: () => T): T { return withGradMode(false, fn); }
export function enableGrad<T>(fn: () => T): T { return withGradMode(true, fn); }

/** Attach an op's backward to its output when any input requires grad. */
export function record(name: string, inputs: readonly Tensor[], out: Tensor,
  backward: (grad: Tensor) => readonly (Tensor | null)[]): Tensor {
  if (profiling) profiling.op(name);
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { name, inputs, backward };
  } else if (gradEnabled) {
    // Carry the name of a non-differentiable op downstream, so backward() can still name it.
    const blocked = inputs.find((t) => t.blockedBy);
    if (blocked) out.blockedBy = blocked.blockedBy;
  }
  return out;
}

/** Mark the output of an op that has no gradient (argmax, comparisons, casts to int): if an
 *  input needed one, a later backward() through here says which op stopped it. */
export function recordNonDifferentiable(name: string, inputs: readonly Tensor[], out: Tensor): Tensor {
  if (profiling) profiling.op(name);
  if (gradEnabled) {
    const blocked = inputs.find((t) => t.requiresGrad || t.blockedBy);
    if (blocked) out.blockedBy = blocked.blockedBy ?? name;
  }
  return out;
}

// ---- the engine's own arithmetic on gradients --------------------------------------------------

function sameBackend(what: string, a: Tensor, b: Tensor): Backend {
  if (a.backend !== b.backend) throw new Error(`internal: ${what}: gradients live on different backends (${a.backend.name} and ${b.backend.name})`);
  return a.backend;
}

/** a + b for two gradients of one shape; recorded (under createGraph) with the adjoint (u, u). */
function accumulate(a: Tensor, b: Tensor): Tensor {
  const be = sameBackend('accumulating a gradient', a, b);
  const out = Tensor.fromStorage(be.binary('add', a, b, a.shape, 'float32'), a.shape, 'float32', be);
  return record('accumulate', [a, b], out, (u) => [u, u]);
}

/** The axes of `from` to sum so it becomes `to`, or null if `to` does not broadcast to `from`. */
function broadcastAxes(from: Shape, to: Shape): number[] | null {
  const lead = from.length - to.length;
  if (lead < 0) return null;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead) { axes.push(i); continue; }
    const d = to[i - lead];
    if (d === from[i]) continue;
    if (d !== 1) return null;
    axes.push(i);
  }
  return axes;
}

/** Sum g down to `shape` (the adjoint of broadcasting), or null when `shape` does not broadcast
 *  to g's shape. Differentiable under createGraph: its adjoint is broadcastTo. */
export function trySumTo(g: Tensor, shape: Shape): Tensor | null {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(g.shape, shape);
  if (!axes) return null;
  const be = g.backend;
  // The reduce kernel drops the summed axes; what is left has `shape`'s elements in order.
  const out = Tensor.fromStorage(be.reduce('sum', g, axes), shape, g.dtype, be);
  return record('sumTo', [g], out, (u) => [broadcastTo(u, g.shape)]);
}

/** Broadcast u to `shape` (a stride-0 copy); its adjoint is trySumTo. */
function broadcastTo(u: Tensor, shape: Shape): Tensor {
  const from = u.shape;
  const be = u.backend;
  const out = Tensor.fromStorage(be.strided(u, shape, broadcastStrides(from, shape), 0), shape, u.dtype, be);
  return record('broadcastTo', [u], out, (g) => [trySumTo(g, from)]);
}

export interface BackwardOptions {
  /** Keep the graph so backward() can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Every tensor reachable from `roots` through the recorded ops' inputs (those `follow` accepts),
 *  each after all of its inputs: a post-order walk, iterative so a long chain of ops cannot
 *  overflow the stack. Reversed, the order backward() visits them in. */
export function postOrder(roots: readonly Tensor[], follow: (t: Tensor) => boolean = () => true): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.node?.inputs ?? [];
      if (i < inputs.length) {
        top[1]++;
        const next = inputs[i];
        if (follow(next) && !seen.has(next)) { seen.add(next); stack.push([next, 0]); }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order;
}

/** Compute d(root)/d(leaf) for every leaf that requires grad, accumulating into leaf.grad. */
export function backward(root: Tensor, gradient?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(root.blockedBy
      ? `backward: ${root.describe()} does not require grad: the path from the parameters passes through '${root.blockedBy}', which is not differentiable`
      : `backward: ${root.describe()} does not require grad: no input of the ops that made it has requiresGrad = true`);
  }
  if (root.graphFreed) {
    throw new Error('backward: the graph behind this tensor was freed by an earlier backward(); pass { retainGraph: true } to the first call to run backward twice');
  }
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: output has shape ${fmt(root.shape)}; a non-scalar output needs an explicit gradient of that shape, as in PyTorch's y.backward(gradient)`);
    }
  } else if (!sameShape(gradient.shape, root.shape)) {
    throw new Error(`backward: gradient has shape ${fmt(gradient.shape)} but the output has shape ${fmt(root.shape)}`);
  }

  const order = postOrder([root], (t) => t.requiresGrad).reverse();
  const grads = new Map<Tensor, Tensor>();
  // Every gradient tensor in the map is a distinct object, so each can be disposed on its own;
  // a gradient returned twice (add's backward passes g to both inputs) is aliased, not shared.
  const owned = new Set<Tensor>();
  // Under createGraph an alias must stay on the graph (a recorded identity), or the gradient
  // of a gradient would stop at every aliased tensor.
  const alias = (g: Tensor): Tensor => {
    const a = g.shareAs(g.shape);
    return opts.createGraph ? record('alias', [g], a, (u) => [u]) : a;
  };
  const own = (g: Tensor): Tensor => {
    const o = owned.has(g) ? alias(g) : g;
    owned.add(o);
    return o;
  };

  // A running profile attributes the kernels of each step below to the op whose backward it is
  // (a leaf's accumulation to 'AccumulateGrad', the seed gradient to 'backward()').
  const prof = profiling;
  const step = (t: Tensor): void => {
    const g = grads.get(t);
    if (!g) return;
    grads.delete(t);
    const node = t.node;
    prof?.enter(node ? node.name : 'AccumulateGrad');
    try {
      if (node) backwardThrough(t, node, g);
      // A leaf: accumulate into .grad, which outlives any tidy() scope.
      else if (t.grad) {
        const sum = accumulate(t.grad, g);
        // Under createGraph both are inputs of the recorded sum: disposing them would cut the graph.
        if (!opts.createGraph) { t.grad.dispose(); g.dispose(); }
        t.grad = keep(sum);
      } else {
        t.grad = keep(g);
      }
    } finally {
      prof?.exit();
    }
  };

  const backwardThrough = (t: Tensor, node: GradNode, g: Tensor): void => {
    // Temporaries made inside a backward closure die with it, unless the graph is being recorded.
    const inGrads = opts.createGraph ? node.backward(g) : tidy(() => [...node.backward(g)]);
    // Gradients the closure returned that were summed down or added in: freed once every input
    // has had its share (the closure may return one tensor for two inputs).
    const spent: Tensor[] = [];
    node.inputs.forEach((input, i) => {
      const raw = inGrads[i];
      if (!input.requiresGrad || !raw) return;
      const gi = trySumTo(raw, input.shape);
      if (!gi) {
        throw new Error(`internal: ${node.name} backward gave a gradient of shape ${fmt(raw.shape)} for an input of shape ${fmt(input.shape)}, which does not broadcast to it`);
      }
      if (gi !== raw) spent.push(raw);
      const prev = grads.get(input);
      if (prev) {
        grads.set(input, own(accumulate(prev, gi)));
        // Under createGraph, prev and gi are inputs of the recorded sum: disposing them would cut the graph.
        if (!opts.createGraph) { prev.dispose(); spent.push(gi); }
      } else {
        grads.set(input, own(gi));
      }
    });
    if (!opts.createGraph) for (const s of spent) if (!owned.has(s)) s.dispose();
    if (!opts.createGraph) g.dispose();
    // As in PyTorch, retainGraph defaults to createGraph: the new graph refers to the old one.
    if (!(opts.retainGraph ?? opts.createGraph)) { t.node = null; t.graphFreed = true; }
  };

  withGradMode(!!opts.createGraph, () => {
    const ones = () => Tensor.fromStorage(root.backend.fill(root.size, 1, root.dtype), root.shape, root.dtype, root.backend);
    prof?.enter('backward()');
    try {
      grads.set(root, own(gradient ? alias(gradient) : ones()));
    } finally {
      prof?.exit();
    }
    for (const t of order) step(t);
  });
}
