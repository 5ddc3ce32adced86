/**
 * The scale section's figure: line charts drawn as SVG here and rendered to PNG by @resvg/resvg-js (a
 * prebuilt Rust renderer on npm; no browser, no system packages; text in the system's sans-serif font).
 */
import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const W = 520;
const H = 440;
const M = { l: 64, r: 16, t: 36, b: 180 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p);
}

function panelSvg(p: Panel, ox: number): string {
  const xs = [...new Set(p.series.flatMap((s) => s.points.map((q) => q.x)))].sort((a, b) => a - b);
  const xMax = Math.max(...xs, 1);
  const yMax = niceMax(Math.max(...p.series.flatMap((s) => s.points.map((q) => q.y)), 0) * 1.05);
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const X = (x: number) => ox + M.l + (x / xMax) * pw;
  const Y = (y: number) => M.t + ph - (y / yMax) * ph;
  const out: string[] = [`<text x="${ox + W / 2}" y="22" font-size="15" font-weight="bold" text-anchor="middle">${esc(p.title)}</text>`];
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    out.push(`<line x1="${X(0)}" y1="${Y(y)}" x2="${X(xMax)}" y2="${Y(y)}" stroke="#ddd"/>`, `<text x="${X(0) - 6}" y="${Y(y) + 4}" font-size="11" text-anchor="end">${+y.toPrecision(3)}</text>`);
  }
  for (const x of xs) out.push(`<line x1="${X(x)}" y1="${Y(0)}" x2="${X(x)}" y2="${Y(0) + 4}" stroke="#333"/>`, `<text x="${X(x)}" y="${Y(0) + 17}" font-size="11" text-anchor="middle">${x}</text>`);
  out.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(xMax)}" y2="${Y(0)}" stroke="#333"/>`, `<line x1="${X(0)}" y1="${Y(0)}" x2="${X(0)}" y2="${Y(yMax)}" stroke="#333"/>`);
  out.push(`<text x="${X(xMax / 2)}" y="${Y(0) + 34}" font-size="12" text-anchor="middle">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(${ox + 16},${M.t + ph / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (!pts.length) continue;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="6,4"' : ''} points="${pts.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
    for (const q of pts) out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  p.series.forEach((s, i) => {
    const lx = ox + M.l;
    const ly = H - M.b + 52 + i * 15;
    out.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="6,4"' : ''}/>`, `<text x="${lx + 27}" y="${ly}" font-size="11">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

export function chartSvg(panels: Panel[], caption: string): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 20}" font-family="DejaVu Sans, Liberation Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panelSvg(p, i * W)),
    `<text x="8" y="${H + 12}" font-size="11" fill="#555">${esc(caption)}</text>`,
    '</svg>',
  ].join('\n');
}

export function writePng(file: string, svg: string): number {
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'original' } }).render().asPng();
  writeFileSync(file, png);
  return png.length;
}
