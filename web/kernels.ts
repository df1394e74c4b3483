// The kernel parity page: starts kernels-worker.ts and tabulates what it reports. The summary line
// reads "N passed, M failed"; body[data-state] becomes 'done' (or 'error') for test/web-page.test.ts.
import type { CaseResult } from '../test/shared/kernel-cases.js';

const body = document.body;
const rows = document.querySelector('#results tbody')!;
const $ = (id: string) => document.getElementById(id)!;

const worker = new Worker(new URL('./kernels-worker.ts', import.meta.url), { type: 'module' });
worker.onerror = (e) => { body.dataset.state = 'error'; $('summary').textContent = `the worker failed: ${e.message}`; };
worker.onmessage = (e: MessageEvent) => {
  const m = e.data;
  if (m.kind === 'start') {
    $('adapter').textContent = `${m.description}; CPU backend on ${m.threads} thread${m.threads > 1 ? 's' : ''}`;
  } else if (m.kind === 'result') {
    const r = m.result as CaseResult;
    const tr = document.createElement('tr');
    for (const text of [r.group, r.name, r.ok ? 'ok' : `FAILED: ${r.error}`, r.ms.toFixed(0)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    if (!r.ok) tr.style.color = '#c00';
    rows.append(tr);
  } else if (m.kind === 'done') {
    const results = m.results as CaseResult[];
    const failed = results.filter((r) => !r.ok).length;
    $('summary').textContent = `${results.length - failed} passed, ${failed} failed` + (m.leakedBuffers ? ` (${m.leakedBuffers} GPU buffers left undisposed)` : '');
    (window as unknown as { kernelResults: unknown }).kernelResults = { results, leakedBuffers: m.leakedBuffers, adapter: $('adapter').textContent };
    body.dataset.state = 'done';
  } else if (m.kind === 'error') {
    body.dataset.state = 'error';
    $('summary').textContent = m.error;
  }
};
