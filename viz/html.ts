// The report's HTML vocabulary: page, sections, figures with captions, tables, image galleries and colour bars, all self-contained.
import { type ColorMapName, colorAt, toHex } from './colormap.js';
import { escapeXml, formatNumber } from './svg.js';

/** Escape text for HTML content and attributes (the same five characters as XML). */
export const esc = escapeXml;

/** A figure: inline SVG or an <img>, always with a caption that says what it shows and what to notice. */
export function figure(content: string, caption: string): string {
  return `<figure>${content}<figcaption>${caption}</figcaption></figure>`;
}

/** An <img> for a file written next to index.html; `pixelated` keeps upscaled digits crisp. */
export const img = (src: string, alt: string, width?: number) =>
  `<img src="${esc(src)}" alt="${esc(alt)}"${width ? ` width="${width}"` : ''}>`;

export type Cell = string | number;

/** A table; numbers are right-aligned and printed with `digits` decimals (integers as they are). Cells that are strings are trusted HTML. */
export function table(headers: string[], rows: Cell[][], digits = 3): string {
  const cell = (c: Cell, tag: string) =>
    typeof c === 'number' ? `<${tag} class="num">${Number.isInteger(c) ? c : c.toFixed(digits)}</${tag}>` : `<${tag}>${c}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

/** Labelled thumbnails in a wrapping grid; each label is trusted HTML (it may hold <b> or line breaks). */
export function gallery(items: { src: string; label: string; alt: string }[], width = 84): string {
  return `<div class="gallery">${items
    .map((it) => `<div class="tile">${img(it.src, it.alt, width)}<div class="label">${it.label}</div></div>`)
    .join('')}</div>`;
}

let colorBars = 0; // gradient ids must be unique within the page

/** A horizontal colour bar for a PNG heatmap: the map's gradient with its end values and a label. */
export function colorBar(map: ColorMapName, [lo, hi]: [number, number], label: string, width = 320): string {
  const stops = Array.from({ length: 11 }, (_, i) => `<stop offset="${i * 10}%" stop-color="${toHex(colorAt(map, i / 10))}"/>`);
  const id = `cb${++colorBars}`;
  const mid = (lo + hi) / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="50" font-family="sans-serif" font-size="11" class="colorbar">`,
    `<defs><linearGradient id="${id}">${stops.join('')}</linearGradient></defs>`,
    `<rect x="10" y="4" width="${width - 20}" height="14" fill="url(#${id})" stroke="#444"/>`,
    `<text x="10" y="31" text-anchor="start">${esc(formatNumber(lo))}</text>`,
    `<text x="${width / 2}" y="31" text-anchor="middle">${esc(formatNumber(mid))}</text>`,
    `<text x="${width - 10}" y="31" text-anchor="end">${esc(formatNumber(hi))}</text>`,
    `<text x="${width / 2}" y="46" text-anchor="middle" fill="#555">${esc(label)}</text>`,
    '</svg>',
  ].join('');
}

export interface Section {
  id: string;
  title: string;
  /** Trusted HTML: paragraphs, figures, tables. */
  body: string;
}

/** Paragraph of trusted HTML. */
export const p = (html: string) => `<p>${html}</p>`;

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; line-height: 1.45; }
header { background: #1f3b57; color: white; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; opacity: 0.85; }
nav { padding: 8px 32px; background: #e9eef3; font-size: 14px; }
nav a { margin-right: 14px; color: #1f3b57; }
main { max-width: 1180px; padding: 8px 32px 48px; }
section { background: white; border: 1px solid #ddd; border-radius: 6px; padding: 8px 22px 18px; margin: 18px 0; }
h2 { border-bottom: 2px solid #1f3b57; padding-bottom: 4px; }
figure { margin: 14px 0; }
figcaption { font-size: 14px; color: #444; max-width: 900px; margin-top: 4px; }
img { image-rendering: pixelated; border: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 14px; margin: 10px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.gallery { display: flex; flex-wrap: wrap; gap: 8px; }
.tile { text-align: center; font-size: 12px; }
.tile .label { max-width: 110px; }
.note { background: #fff7e0; border-left: 4px solid #e0a800; padding: 6px 10px; }
.rowlabel { font-weight: bold; width: 2em; }
`;

/** The whole page: header, a table of contents and the sections; no script, no external resource. */
export function page(title: string, subtitle: string, sections: Section[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<header><h1>${esc(title)}</h1><p>${subtitle}</p></header>`,
    `<nav>${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>`,
    '<main>',
    ...sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.body}\n</section>`),
    '</main></body></html>',
  ].join('\n');
}
