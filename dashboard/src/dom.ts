/** Tiny DOM and SVG builders: the dashboard has no framework. */

type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;
type Child = Node | string | number | null | undefined | false;

function apply(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  apply(el, attrs, children);
  return el;
}

/** A box for a failed request's messages, one line per GraphQL error. */
export function errorBox(msg: string): HTMLElement {
  return h('pre', { class: 'error', role: 'alert' }, msg);
}

export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function progressBar(progress: number, status: string): HTMLElement {
  const bar = h('div', { class: `progress ${status.toLowerCase()}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 });
  setProgress(bar, progress, status);
  return bar;
}

export function setProgress(bar: HTMLElement, progress: number, status: string): void {
  const p = Math.max(0, Math.min(1, progress));
  bar.className = `progress ${status.toLowerCase()}`;
  bar.setAttribute('aria-valuenow', (p * 100).toFixed(1));
  bar.dataset.progress = String(p);
  bar.replaceChildren(h('div', { class: 'fill', style: `width:${(p * 100).toFixed(1)}%` }), h('span', {}, pct(p)));
}

export function select(name: string, options: Array<[string, string]>, value?: string, extra: Attrs = {}): HTMLSelectElement {
  const el = h('select', { name, ...extra });
  for (const [v, label] of options) el.append(h('option', { value: v, selected: v === value }, label));
  return el;
}
