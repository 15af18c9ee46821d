/** Plain SVG plotting: linear scales, axes with ticks, and a small line chart for run metrics. */
import { s } from '../dom';

export interface Frame { w: number; h: number; left: number; right: number; top: number; bottom: number }
export const FRAME: Frame = { w: 640, h: 340, left: 56, right: 16, top: 16, bottom: 44 };

export type Scale = ((v: number) => number) & { domain: [number, number] };

export function scale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.domain = [d0, d1];
  return f;
}

/** ~5 round tick values covering [a, b]. */
export function ticks(a: number, b: number, n = 5): number[] {
  const span = b - a || 1;
  const step0 = Math.pow(10, Math.floor(Math.log10(span / n)));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((st) => span / st <= n) ?? step0 * 10;
  const out: number[] = [];
  for (let v = Math.ceil(a / step) * step; v <= b + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

/** Pads [lo, hi] by 5% (or ±1 around a single value). */
export function padded(lo: number, hi: number): [number, number] {
  if (lo === hi) return [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)];
  const p = (hi - lo) * 0.05;
  return [lo - p, hi + p];
}

export function axes(svg: SVGElement, f: Frame, x: Scale, y: Scale, xLabel: string, yLabel: string, xFmt: (v: number) => string = String): void {
  const g = s('g', { class: 'axes' });
  const [x0, x1] = [f.left, f.w - f.right];
  const [y0, y1] = [f.h - f.bottom, f.top];
  g.append(s('line', { x1: x0, x2: x1, y1: y0, y2: y0 }), s('line', { x1: x0, x2: x0, y1: y0, y2: y1 }));
  for (const t of ticks(...x.domain)) {
    g.append(s('line', { class: 'tick', x1: x(t), x2: x(t), y1: y0, y2: y0 + 4 }), s('text', { x: x(t), y: y0 + 16, 'text-anchor': 'middle' }, xFmt(t)));
  }
  for (const t of ticks(...y.domain)) {
    g.append(s('line', { class: 'grid', x1: x0, x2: x1, y1: y(t), y2: y(t) }), s('text', { x: x0 - 6, y: y(t) + 4, 'text-anchor': 'end' }, String(+t.toPrecision(4))));
  }
  g.append(s('text', { x: (x0 + x1) / 2, y: f.h - 6, 'text-anchor': 'middle', class: 'label' }, xLabel));
  g.append(s('text', { x: 14, y: (y0 + y1) / 2, 'text-anchor': 'middle', class: 'label', transform: `rotate(-90 14 ${(y0 + y1) / 2})` }, yLabel));
  svg.append(g);
}

export function lineChart(points: Array<[number, number]>, xLabel: string, yLabel: string): SVGElement {
  const f = { ...FRAME, h: 240 };
  const svg = s('svg', { viewBox: `0 0 ${f.w} ${f.h}`, class: 'chart', role: 'img', 'aria-label': `${yLabel} by ${xLabel}` });
  if (!points.length) {
    svg.append(s('text', { x: f.w / 2, y: f.h / 2, 'text-anchor': 'middle', class: 'muted' }, 'no points yet'));
    return svg;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = scale(...padded(Math.min(...xs), Math.max(...xs)), f.left, f.w - f.right);
  const y = scale(...padded(Math.min(...ys), Math.max(...ys)), f.h - f.bottom, f.top);
  axes(svg, f, x, y, xLabel, yLabel);
  svg.append(s('polyline', { class: 'series', points: points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ') }));
  return svg;
}
