/** The dashboard: a hash router over a handful of views, a token box, and the server's compute backend. */
import { ApiError, getToken, gql, onConnectionState, setToken } from './api';
import { errorBox, h } from './dom';
import { curveView } from './views/curve';
import { runsView, runView } from './views/runs';
import { startView } from './views/start';
import { studiesView } from './views/studies';
import { studyView } from './views/study';
import { ticketsView, ticketView } from './views/ticket';
import { transferView } from './views/transfer';

type View = (root: HTMLElement, arg: string, q: URLSearchParams) => Promise<void | (() => void)>;

const ROUTES: Array<[RegExp, View]> = [
  [/^\/?$|^\/runs$/, (r) => runsView(r)],
  [/^\/run\/(.+)$/, (r, id) => runView(r, id)],
  [/^\/curves$/, (r, _a, q) => curveView(r, q)],
  [/^\/transfer$/, (r, _a, q) => transferView(r, q)],
  [/^\/tickets$/, (r) => ticketsView(r)],
  [/^\/ticket\/(.+)$/, (r, id) => ticketView(r, id)],
  [/^\/start$/, (r) => startView(r)],
  [/^\/studies$/, (r) => studiesView(r)],
  [/^\/study\/(.+)$/, (r, id) => studyView(r, id)],
];

let cleanup: (() => void) | null = null;
let generation = 0;

async function route(main: HTMLElement): Promise<void> {
  cleanup?.();
  cleanup = null;
  const gen = ++generation;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  main.dataset.ready = 'false';
  // Each view draws into its own box, shown only if no newer navigation started meanwhile.
  const box = h('div', { class: 'view' });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === `#${path}` || (path === '' && a.getAttribute('href') === '#/runs')));
  const hit = ROUTES.map(([re, v]) => [re.exec(path), v] as const).find(([m]) => m);
  try {
    if (!hit) throw new ApiError([{ message: `no page ${path}` }]);
    const [m, view] = hit;
    const stop = await view(box, decodeURIComponent(m![1] ?? ''), new URLSearchParams(query));
    if (gen !== generation) stop?.();
    else if (stop) cleanup = stop;
  } catch (e) {
    box.append(errorBox(e instanceof Error ? e.message : String(e)));
  }
  if (gen !== generation) return;
  main.replaceChildren(box);
  main.dataset.route = location.hash;
  main.dataset.ready = 'true';
}

function tokenBox(): HTMLElement {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'API token (if the server requires one)', autocomplete: 'off', value: getToken() });
  const save = h('button', { type: 'button', id: 'token-save' }, 'use token');
  save.addEventListener('click', () => {
    setToken(input.value.trim());
    location.reload(); // every request and the WebSocket start again with the new token
  });
  return h('span', { class: 'token' }, input, save);
}

async function header(): Promise<HTMLElement> {
  const info = h('span', { class: 'compute', id: 'compute' });
  const live = h('span', { class: 'live', id: 'live' }, 'connecting');
  onConnectionState((s) => { live.textContent = s; live.dataset.state = s; });
  gql<{ health: string; compute: { backend: string; gpu: boolean; device: string | null; kernels: string | null } }>('{ health compute { backend gpu device kernels } }')
    .then((r) => (info.textContent = `health ${r.health} · ${r.compute.backend}${r.compute.device ? ` (${r.compute.device})` : ''}${r.compute.gpu ? ' · GPU' : ''}`))
    .catch((e: Error) => (info.textContent = e.message));
  return h('header', {},
    h('h1', {}, h('a', { href: '#/runs' }, 'ticketlab')),
    h('nav', {}, ...[['#/runs', 'Runs'], ['#/studies', 'Studies'], ['#/start', 'Start'], ['#/curves', 'Sparsity curves'], ['#/transfer', 'Transfer'], ['#/tickets', 'Tickets']].map(([href, t]) => h('a', { href }, t)),
      h('a', { href: '/graphiql', target: '_blank' }, 'GraphQL explorer')),
    h('div', { class: 'status-line' }, info, ' · live: ', live, ' ', tokenBox()),
  );
}

async function main(): Promise<void> {
  const content = h('main', { id: 'main' });
  document.body.replaceChildren(await header(), content);
  window.addEventListener('hashchange', () => void route(content));
  await route(content);
}

void main();
