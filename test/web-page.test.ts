// The browser page, end to end, in Debian's Chromium on its SwiftShader WebGPU adapter: the
// static build (vite build) served by `vite preview` on localhost; a digit drawn with mouse events
// is read on WebGPU and on the CPU backend (the same answers); a few training steps lower the
// loss and the drawing panel then uses the new weights; the WGSL kernel parity cases all pass in
// the browser. No console error, and no request leaves localhost (each is blocked and counted).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/index.js';
import { ClassifyTask, DEFAULT_CONFIG } from '../mnist/classify.js';
import { loadImageData } from '../mnist/data.js';
import { decodeSafetensors } from '../nn/index.js';
import { memoryStore, runLoop } from '../train/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..');
const CONFIG = join(ROOT, 'web', 'vite.config.ts');
const FLAGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const present = existsSync(CHROMIUM);
if (!present && process.env.CI) throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium) to test the page`);

let server: PreviewServer, browser: Browser, context: BrowserContext, base: string;
const blocked: string[] = [];
const errors: string[] = [];

const local = (url: string) => /^(https?|wss?):\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//.test(url) || /^(data|blob):/.test(url);

beforeAll(async () => {
  if (!present) return;
  await build({ configFile: CONFIG, logLevel: 'warn' });
  server = await preview({ configFile: CONFIG, logLevel: 'warn', preview: { port: 0, strictPort: false } });
  base = server.resolvedUrls!.local[0];
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  context = await browser.newContext({ viewport: { width: 1100, height: 1000 }, hasTouch: true });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (local(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const where = (w?: string) => (w ? ` (${w})` : '');
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${path}: console: ${m.text()}${where(m.worker()?.url())}`); });
  page.on('pageerror', (e) => errors.push(`${path}: page error: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`${path}: worker console: ${m.text()} (${w.url()})`); }));
  await page.goto(base + path);
  return page;
}

const ready = (page: Page) => page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });

/** A stroke through the points (in 280×280 pad coordinates), as mouse events. */
async function strokeOn(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const s = box.width / 280;
  await page.mouse.move(box.x + points[0][0] * s, box.y + points[0][1] * s);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x * s, box.y + y * s, { steps: 8 });
  await page.mouse.up();
}

/** The same with a finger: touch events through the DevTools protocol. */
async function touchStrokeOn(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const s = box.width / 280, cdp = await context.newCDPSession(page);
  const at = ([x, y]: [number, number]) => [{ x: box.x + x * s, y: box.y + y * s }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]) });
  for (let k = 1; k < points.length; k++) {
    for (let i = 1; i <= 8; i++) {
      const [x0, y0] = points[k - 1], [x1, y1] = points[k];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at([x0 + ((x1 - x0) * i) / 8, y0 + ((y1 - y0) * i) / 8]) });
    }
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

const DIGITS: Record<'1' | '7', [number, number][][]> = {
  1: [[[150, 45], [140, 235]]],
  7: [[[70, 60], [210, 60], [125, 235]]],
};

/** Clear, draw, and wait for the prediction of exactly this drawing. */
async function read(page: Page, digit: '1' | '7'): Promise<{ digit: number; probabilities: number[] }> {
  await page.click('#clear');
  for (const s of DIGITS[digit]) await strokeOn(page, s);
  return settled(page);
}

async function settled(page: Page): Promise<{ digit: number; probabilities: number[] }> {
  await page.waitForFunction(() => {
    const p = document.getElementById('prediction')!, pad = document.getElementById('pad')!;
    return p.dataset.digit !== '' && p.dataset.version === pad.dataset.version;
  }, null, { timeout: 60_000 });
  return page.$eval('#prediction', (p) => ({ digit: Number((p as HTMLElement).dataset.digit), probabilities: JSON.parse((p as HTMLElement).dataset.probabilities!) }));
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe.skipIf(!present)('the page in headless Chromium', () => {
  it('reads a drawn 1 and 7 on WebGPU and on the CPU backend alike, trains, and uses the new weights', async () => {
    const page = await open('index.html');
    await ready(page);
    const readyMs = Number(await page.evaluate(() => document.body.dataset.readyMs));
    console.log(`page ready (WebGPU backend up, model restored) ${readyMs} ms after navigation`);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    const gpu = await page.$eval('#backend', (e) => ({ kind: (e as HTMLElement).dataset.kind, text: e.textContent }));
    expect(gpu.kind).toBe('webgpu');
    expect(gpu.text).toMatch(/^webgpu: .*swiftshader/i);

    const gpu1 = await read(page, '1'), gpu7 = await read(page, '7');
    expect(gpu1.digit).toBe(1);
    expect(gpu7.digit).toBe(7);
    for (const r of [gpu1, gpu7]) expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

    await page.check('input[value=cpu]');
    await page.waitForFunction(() => document.getElementById('backend')!.dataset.kind === 'cpu' && document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    const cpuLine = await page.textContent('#backend');
    expect(cpuLine).toBe('cpu: WebAssembly SIMD kernels on 2 threads');   // a Web Worker, cross-origin isolated
    const cpu7again = await settled(page);   // the 7 still on the pad, re-read after the switch
    const cpu1 = await read(page, '1'), cpu7 = await read(page, '7');
    expect(cpu1.digit).toBe(1);
    expect(cpu7.digit).toBe(7);
    expect(maxDiff(cpu1.probabilities, gpu1.probabilities)).toBeLessThan(1e-4);
    expect(maxDiff(cpu7.probabilities, gpu7.probabilities)).toBeLessThan(1e-4);
    expect(maxDiff(cpu7again.probabilities, cpu7.probabilities)).toBeLessThan(1e-6);
    await page.click('#clear');
    await touchStrokeOn(page, DIGITS[7][0]);
    const finger7 = await settled(page);
    expect(finger7.digit).toBe(7);   // drawn with a finger: the same path, the same reading
    expect(maxDiff(finger7.probabilities, cpu7.probabilities)).toBeLessThan(0.05);

    // Train the cnn for one epoch (32 steps) on the bundled subset, on the CPU backend.
    await page.selectOption('#train-model', 'cnn');
    await page.fill('#train-epochs', '1');
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('train-status')!.dataset.state!), null, { timeout: 120_000 });
    const t = await page.$eval('#train-status', (e) => ({ ...(e as HTMLElement).dataset, text: e.textContent })) as Record<string, string | undefined>;
    console.log(`in-page training: ${t.text}`);
    expect(t.state).toBe('done');
    expect(Number(t.steps)).toBe(32);
    expect(Number(t.lastLoss)).toBeLessThan(0.7 * Number(t.firstLoss));
    expect(Number(t.testAccuracy)).toBeGreaterThan(0.5);
    expect(await page.textContent('#model-line')).toContain('cnn trained in this page (1 epoch on 2000 images, cpu)');
    // The same run in Node (same task, loop, data and seed, on Node's CPU backend) ends on the same weights.
    await initBackend('cpu');
    const store = memoryStore();
    const node = await runLoop(() => new ClassifyTask({ ...DEFAULT_CONFIG, model: 'cnn', epochs: 1, batchSize: 64, lr: 0.002, seed: 0 },
      loadImageData({ limit: 2000, testLimit: 500 })), { epochs: 1, seed: 0 }, store);
    const pageHistory = JSON.parse(t.history!);
    for (const k of ['train_loss', 'train_accuracy', 'test_loss', 'test_accuracy']) expect(pageHistory[0][k], k).toBeCloseTo(node.history[0][k], 6);
    const pageBytes = new Uint8Array(await page.evaluate(async () =>
      Array.from(new Uint8Array(await (await fetch((document.getElementById('download') as HTMLAnchorElement).href)).arrayBuffer()))));
    const inPage = decodeSafetensors(pageBytes).tensors, inNode = decodeSafetensors(store.files.get('model.safetensors') as Uint8Array).tensors;
    expect([...inPage.keys()]).toEqual([...inNode.keys()]);
    const worst = Math.max(...[...inNode].map(([k, w]) => maxDiff(Array.from(inPage.get(k)!.data), Array.from(w.data))));
    console.log(`weights trained in the page vs in Node: largest difference ${worst}`);
    expect(worst).toBeLessThan(1e-5);

    const after = await read(page, '7');
    expect(maxDiff(after.probabilities, cpu7.probabilities)).toBeGreaterThan(1e-3);   // other weights, other numbers

    await page.screenshot({ path: join(ROOT, 'runs', 'web-page.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  it('passes every WGSL kernel parity case on SwiftShader, against the CPU backend in the same worker', async () => {
    const page = await open('kernels.html');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 600_000, polling: 500 });
    const summary = await page.textContent('#summary');
    const r = await page.evaluate(() => (window as unknown as { kernelResults: { results: { group: string; name: string; ok: boolean; error?: string; ms: number }[]; leakedBuffers: number; adapter: string } }).kernelResults);
    console.log(`in-browser kernel suite: ${summary}; ${r?.adapter}; slowest: ${[...(r?.results ?? [])].sort((a, b) => b.ms - a.ms).slice(0, 6).map((c) => `${c.name} ${(c.ms / 1000).toFixed(1)} s`).join(", ")}`);
    expect(r, summary ?? '').toBeTruthy();
    expect(r.adapter).toMatch(/swiftshader.*CPU backend on 2 threads/i);
    expect(r.results.filter((c) => !c.ok).map((c) => `${c.group} / ${c.name}: ${c.error}`)).toEqual([]);
    expect(r.results.length).toBeGreaterThan(90);
    expect(r.leakedBuffers).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  }, 600_000);
});
