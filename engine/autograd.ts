// Reverse-mode autograd over a graph recorded as ops run (define-by-run, as in PyTorch).
// An op calls record() with its output and a closure that maps the output's gradient to its
// inputs' gradients; backward() walks the graph in reverse topological order.

import { keep, tidy } from './scope.js';
import { fmt, sameShape } from './shape.js';
import { Tensor } from './tensor.js';
import { add } from './ops/elementwise.js';
import { onesLike } from './ops/creation.js';

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
  if (gradEnabled) {
    const blocked = inputs.find((t) => t.requiresGrad || t.blockedBy);
    if (blocked) out.blockedBy = blocked.blockedBy ?? name;
  }
  return out;
}

export interface BackwardOptions {
  /** Keep the graph so backward() can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !seen.has(next)) { seen.add(next); stack.push([next, 0]); }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
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

  const order = topoOrder(root);
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

  withGradMode(!!opts.createGraph, () => {
    grads.set(root, own(gradient ? alias(gradient) : onesLike(root)));
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.node;
      if (!node) {
        // A leaf: accumulate into .grad, which outlives any tidy() scope.
        if (t.grad) {
          const sum = add(t.grad, g);
          // Under createGraph both are inputs of the recorded sum: disposing them would cut the graph.
          if (!opts.createGraph) { t.grad.dispose(); g.dispose(); }
          t.grad = keep(sum);
        } else {
          t.grad = keep(g);
        }
        continue;
      }
      // Temporaries made inside a backward closure die with it, unless the graph is being recorded.
      const inGrads = opts.createGraph ? node.backward(g) : tidy(() => [...node.backward(g)]);
      node.inputs.forEach((input, i) => {
        const gi = inGrads[i];
        if (!input.requiresGrad || !gi) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`internal: ${node.name} backward gave a gradient of shape ${fmt(gi.shape)} for an input of shape ${fmt(input.shape)}`);
        }
        const prev = grads.get(input);
        if (prev) {
          grads.set(input, own(add(prev, gi)));
          // Under createGraph, prev and gi are inputs of the recorded add: disposing them would cut the graph.
          if (!opts.createGraph) {
            prev.dispose();
            if (!owned.has(gi)) gi.dispose();
          }
        } else {
          grads.set(input, own(gi));
        }
      });
      if (!opts.createGraph) g.dispose();
      // As in PyTorch, retainGraph defaults to createGraph: the new graph refers to the old one.
      if (!(opts.retainGraph ?? opts.createGraph)) { t.node = null; t.graphFreed = true; }
    }
  });
}
