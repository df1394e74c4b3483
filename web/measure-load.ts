// How long the built page takes to become usable: navigation start → the backend up and the cnn
// restored (body[data-ready-ms], set by main.ts), in a fresh browser context each time (nothing
// cached), for each backend; and the size of the build. Needs `vite build --config web/vite.config.ts` first.
//   npx tsx web/measure-load.ts [runs=5]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';

const runs = Number(process.argv[2] ?? 5);
const root = import.meta.dirname, dist = join(root, 'dist');
const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
const all = files(dist), kib = (fs: string[]) => (fs.reduce((n, f) => n + statSync(f).size, 0) / 1024).toFixed(0);
const code = all.filter((f) => /\.(js|css|html)$/.test(f));
console.log(`build: ${kib(all)} KiB in ${all.length} files; code ${kib(code)} KiB (${code.length} files); the cnn ${kib(all.filter((f) => f.endsWith('.safetensors')))} KiB; the MNIST subset ${kib(all.filter((f) => f.includes('/data/')))} KiB`);

const server = await preview({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', preview: { port: 0, strictPort: false } });
const url = server.resolvedUrls!.local[0];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  for (const backend of ['webgpu', 'cpu'] as const) {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${url}?backend=${backend}`);
      await page.waitForFunction(() => document.body.dataset.readyMs, null, { timeout: 60_000 });
      ms.push(Number(await page.evaluate(() => document.body.dataset.readyMs)));
      const kind = await page.$eval('#backend', (e) => (e as HTMLElement).dataset.kind);
      if (kind !== backend) throw new Error(`expected the ${backend} backend, the page started ${kind}`);
      await context.close();
    }
    ms.sort((a, b) => a - b);
    console.log(`${backend}: ready after ${ms.join(', ')} ms (median ${ms[Math.floor(ms.length / 2)]} ms over ${runs} cold loads)`);
  }
} finally {
  await browser.close();
  await server.close();
}
