/**
 * The dashboard in a real headless Chromium against the real server (its own cloned database,
 * in-process worker): it loads with no console errors and nothing fetched from another host; an
 * IMP run started from the form shows live progress until SUCCEEDED; the runs list follows a run
 * started elsewhere; the sparsity chart draws exactly the points sparsityCurve returns; the
 * ticket page shows the API's per-layer sparsities and mask overlap; the transfer heatmap the
 * API's cells; GraphQL errors are shown; the explorer loads the schema and runs `{ health }`.
 */
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, taskIdOf } from '../helpers/runs';
import { insertEvaluation, withDb } from '../helpers/seed';
import { HAVE_CHROMIUM, launch, MISSING_CHROMIUM, ready, shot, watchedPage, type Watched } from './browser';

if (!HAVE_CHROMIUM) {
  if (process.env.CI)
    test('chromium is installed', () => {
      throw new Error(MISSING_CHROMIUM);
    });
  else console.warn(`dashboard browser tests skipped: ${MISSING_CHROMIUM}`);
}
const suite = HAVE_CHROMIUM ? describe : describe.skip;

interface Curve {
  sparsity: number;
  score: number;
  scoreStd: number;
  n: number;
  dense: boolean;
}
interface Mark {
  method: string;
  sparsity: number;
  score: number;
  std: number;
  n: number;
  cx: number;
  cy: number;
}

suite('dashboard in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let w: Watched;
  let page: Page;
  let modelId: string;
  let snli: string;
  let gqa: string;
  let impRun: string;
  const t0 = Date.now();
  const timings: string[] = [];
  const lap = (what: string) => timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launch()]);
    lap('server + browser up');
    modelId = await pretrainTinyModel(server, 'tiny-dash');
    snli = await taskIdOf(server, 'SNLI_VE');
    gqa = await taskIdOf(server, 'GQA');
    lap('tiny model pre-trained');
    w = await watchedPage(browser, server.baseUrl);
    page = w.page;
  }, 120_000);

  afterAll(async () => {
    console.log(`dashboard test timings: ${timings.join(', ')}`);
    await browser?.close();
    await server?.stop();
  });

  const gql = async <T>(q: string, v?: Record<string, unknown>): Promise<T> => {
    const r = await server.gql<T>(q, v);
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };

  test('the page loads from the server alone, with no console errors', async () => {
    const start = Date.now();
    await page.goto(server.baseUrl + '/');
    await ready(page);
    await page.waitForSelector('#live[data-state="live"]', { timeout: 10_000 });
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return `DOMContentLoaded ${Math.round(n.domContentLoadedEventEnd)} ms, load ${Math.round(n.loadEventEnd)} ms, ${n.transferSize} B`;
    });
    lap(`page ready (runs listed, subscription live) in ${Date.now() - start} ms (${nav});`);
    await page.waitForFunction(() => document.querySelector('#compute')?.textContent?.includes('health ok'));
    expect(await page.locator('table.runs tbody tr').count()).toBeGreaterThanOrEqual(1); // the PRETRAIN run
    expect(w.requests.some((u) => u.endsWith('/app.js'))).toBe(true);
    expect(w.problems).toEqual([]);
    await shot(page, 'runs');
  });

  test('an IMP run started from the form shows live progress until SUCCEEDED', async () => {
    await page.goto(server.baseUrl + '/#/start');
    await ready(page);
    const form = page.locator('#prune-form');
    await form.locator('select[name=modelId]').selectOption(modelId);
    await form.locator('select[name=taskId]').selectOption(snli);
    await form.locator('select[name=method]').selectOption('IMP');
    await form.locator('input[name=sparsities]').fill('0.3, 0.6');
    await form.locator('input[name=stepsPerLevel]').fill('120');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/#\/run\/[0-9a-f-]{36}$/);
    impRun = page.url().split('/').pop()!;
    await ready(page);
    // Record every progress value the bar shows, as the page changes it.
    await page.evaluate(() => {
      const bar = document.querySelector<HTMLElement>('#run-head .progress')!;
      const seen: number[] = [Number(bar.dataset.progress)];
      (window as unknown as { seen: number[] }).seen = seen;
      new MutationObserver(() => seen.push(Number(bar.dataset.progress))).observe(bar, {
        attributes: true,
        attributeFilter: ['data-progress'],
      });
    });
    await page.waitForSelector('#run-head .status[data-status="SUCCEEDED"]', { timeout: 90_000 });
    lap('IMP run succeeded;');
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    const api = await gql<{ run: { status: string; progress: number; step: number; totalSteps: number } }>(
      'query($id: ID!) { run(id: $id) { status progress step totalSteps } }',
      { id: impRun },
    );
    expect(api.run).toMatchObject({ status: 'SUCCEEDED', progress: 1, step: 360, totalSteps: 360 });
    const intermediate = [...new Set(seen.filter((p) => p > 0 && p < 1))];
    expect(intermediate.length).toBeGreaterThanOrEqual(3); // the bar moved while the run ran
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen[seen.length - 1]).toBe(1);
    expect(await page.locator('#run-head .step').textContent()).toBe('360 / 360');
    // Once finished, the page is drawn again with what the run produced: one ticket per IMP level.
    await page.waitForSelector('main h3:text-is("Tickets")');
    expect(await page.locator('main li a[href^="#/ticket/"]').count()).toBe(3);
    expect(w.problems).toEqual([]);
    await shot(page, 'run');
  });

  test('the runs list follows a run started elsewhere, live', async () => {
    await page.goto(server.baseUrl + '/#/runs');
    await ready(page);
    await page.waitForSelector('#live[data-state="live"]');
    const r = await gql<{ startPruning: { id: string } }>(
      'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
      { i: { modelId, taskId: snli, method: 'RANDOM', sparsities: [0.3, 0.6], stepsPerLevel: 120 } },
    );
    const row = page.locator(`tr[data-run-id="${r.startPruning.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await page.waitForSelector(
      `tr[data-run-id="${r.startPruning.id}"][data-status="RUNNING"] .progress:not([data-progress="0"])`,
      { timeout: 30_000 },
    );
    await page.waitForSelector(`tr[data-run-id="${r.startPruning.id}"][data-status="SUCCEEDED"]`, { timeout: 60_000 });
    expect(await row.locator('.progress').getAttribute('data-progress')).toBe('1');
    lap('RANDOM run followed;');
    // Two more seeds at the highest IMP sparsity, stored directly with scores that differ, so that
    // point is pooled over 3 seeds with a nonzero spread (the tiny model's own seeds can tie).
    const top = await gql<{
      tickets: { edges: Array<{ node: { id: string; sparsity: number; evaluations: Array<{ score: number }> } }> };
    }>('query($f: TicketFilter) { tickets(filter: $f) { edges { node { id sparsity evaluations { score } } } } }', {
      f: { runId: impRun },
    });
    const best = top.tickets.edges.map((e) => e.node).sort((a, b) => b.sparsity - a.sparsity)[0];
    const base = best.evaluations[0].score;
    await withDb(server.databaseUrl, async (db) => {
      for (const [seed, d] of [
        [101, -0.05],
        [102, 0.05],
      ])
        await insertEvaluation(db, { modelId, taskId: snli, ticketId: best.id, seed, steps: 120, score: base + d });
    });
    expect(w.problems).toEqual([]);
  });

  test('the sparsity chart draws exactly the points sparsityCurve returns', async () => {
    await page.goto(`${server.baseUrl}/#/curves?model=${modelId}&task=${snli}`);
    await ready(page);
    await page.waitForSelector('#live[data-state="idle"]'); // no subscription open here: idle, not an alarm
    const marks: Mark[] = await page.$$eval('#sparsity-chart circle.pt', (cs) =>
      cs.map((c) => ({
        method: c.getAttribute('data-method')!,
        sparsity: Number(c.getAttribute('data-sparsity')),
        score: Number(c.getAttribute('data-score')),
        std: Number(c.getAttribute('data-std')),
        n: Number(c.getAttribute('data-n')),
        cx: Number(c.getAttribute('cx')),
        cy: Number(c.getAttribute('cy')),
      })),
    );
    const q = (m: string) =>
      gql<{ c: Curve[] }>(
        `query($m: ID!, $t: ID!) { c: sparsityCurve(modelId: $m, taskId: $t, method: ${m}) { sparsity score scoreStd n dense } }`,
        { m: modelId, t: snli },
      );
    let total = 0;
    for (const m of ['IMP', 'ONE_SHOT', 'RANDOM']) {
      const api = (await q(m)).c;
      const want = api
        .filter((p) => !p.dense)
        .map((p) => ({ method: m, sparsity: p.sparsity, score: p.score, std: p.scoreStd, n: p.n }));
      expect(marks.filter((k) => k.method === m).map(({ cx: _x, cy: _y, ...rest }) => rest)).toEqual(want);
      total += want.length;
      const dense = api.find((p) => p.dense)!;
      expect(marks.filter((k) => k.method === 'DENSE').map((k) => [k.sparsity, k.score, k.std, k.n])).toEqual([
        [0, dense.score, dense.scoreStd, dense.n],
      ]);
    }
    expect(total).toBe(4); // 2 IMP levels, 2 random sparsities
    expect(marks).toHaveLength(total + 1);
    // Positions: the dense and 99% lines fix the y scale (two known scores), the dense point
    // (sparsity 0) and the sparsest point the x scale; every point must sit on those scales.
    const line = async (cls: string) =>
      page.$eval(`#sparsity-chart line.${cls}`, (l) => [
        Number(l.getAttribute('y1')),
        Number(l.getAttribute('data-score')),
      ]);
    const [[yDense, denseScore], [yThr, thrScore]] = [await line('dense-line'), await line('threshold-line')];
    expect(denseScore).toBe(marks.find((k) => k.method === 'DENSE')!.score);
    expect(thrScore).toBeCloseTo(0.99 * denseScore, 12);
    const ky = (yThr - yDense) / (thrScore - denseScore);
    expect(ky).toBeLessThan(0); // SVG y points down: higher scores are drawn higher
    const d = marks.find((k) => k.method === 'DENSE')!;
    const far = marks.reduce((m, k) => (k.sparsity > m.sparsity ? k : m));
    const kx = (far.cx - d.cx) / far.sparsity;
    expect(kx).toBeGreaterThan(0);
    for (const k of marks) {
      expect(k.cy).toBeCloseTo(yDense + (k.score - denseScore) * ky, 1);
      expect(k.cx).toBeCloseTo(d.cx + k.sparsity * kx, 1);
    }
    // The point pooled over 3 seeds has an error bar spanning score ± std (3 lines: bar and caps); no other point has one.
    const spread = marks.filter((k) => k.std > 0);
    expect(spread).toHaveLength(1);
    expect(spread[0].n).toBe(3);
    expect(await page.locator('#sparsity-chart line.errbar').count()).toBe(3);
    const bar = await page.$eval('#sparsity-chart line.errbar', (l) => [
      Number(l.getAttribute('y1')),
      Number(l.getAttribute('y2')),
    ]);
    expect(Math.abs(bar[0] - bar[1])).toBeCloseTo(2 * spread[0].std * Math.abs(ky), 1);
    // The relaxed winning ticket named under the chart is the API's.
    const win = await gql<{ w: Array<{ id: string }> }>(
      'query($m: ID!, $t: ID!) { w: winningTickets(modelId: $m, taskId: $t, method: IMP) { id } }',
      { m: modelId, t: snli },
    );
    const named = page.locator('#winning span').first();
    if (win.w.length) expect(await named.locator('a').getAttribute('href')).toBe(`#/ticket/${win.w[0].id}`);
    else expect(await named.textContent()).toMatch(/none yet$/);
    expect(w.problems).toEqual([]);
    await shot(page, 'curve');
  });

  test('on the cost axis each IMP point sits at what its tickets cost to find', async () => {
    await page.goto(`${server.baseUrl}/#/curves?model=${modelId}&task=${snli}&x=cost`);
    await ready(page);
    expect(await page.getAttribute('#sparsity-chart', 'data-x')).toBe('cost');
    const api = await gql<{ c: Array<{ sparsity: number; dense: boolean; searchSteps: number | null }> }>(
      'query($m: ID!, $t: ID!) { c: sparsityCurve(modelId: $m, taskId: $t, method: IMP) { sparsity dense searchSteps } }',
      { m: modelId, t: snli },
    );
    const marks = await page.$$eval('#sparsity-chart circle.pt[data-method="IMP"]', (cs) =>
      cs.map((c) => ({ steps: Number(c.getAttribute('data-search-steps')), cx: Number(c.getAttribute('cx')) })),
    );
    // the IMP run of this file: 120 steps per level, so levels 1 and 2 cost 120 and 240 steps
    expect(marks.map((m) => m.steps)).toEqual(api.c.filter((p) => !p.dense).map((p) => p.searchSteps));
    expect(marks.map((m) => m.steps)).toEqual([120, 240]);
    const d = await page.$eval('#sparsity-chart circle.pt[data-method="DENSE"]', (c) => Number(c.getAttribute('cx')));
    expect(marks[1].cx - d).toBeCloseTo(2 * (marks[0].cx - d), 1); // linear in steps from the dense point at 0
    expect(w.problems).toEqual([]);
  });

  test('the ticket page shows per-layer sparsity and mask overlap as the API computes them', async () => {
    const ts = await gql<{ tickets: { edges: Array<{ node: { id: string; sparsity: number; method: string } }> } }>(
      'query($f: TicketFilter) { tickets(filter: $f, first: 100) { edges { node { id sparsity method } } } }',
      { f: { modelId } },
    );
    const all = ts.tickets.edges.map((e) => e.node);
    const imp = all.filter((t) => t.method === 'IMP').sort((a, b) => b.sparsity - a.sparsity)[0];
    const rnd = all.find((t) => t.method === 'RANDOM' && t.sparsity === imp.sparsity)!;
    await page.goto(`${server.baseUrl}/#/ticket/${imp.id}`);
    await ready(page);
    const api = await gql<{
      ticket: { layerSparsity: Array<{ name: string; sparsity: number }> };
      maskOverlap: number;
    }>('query($id: ID!, $b: ID!) { ticket(id: $id) { layerSparsity { name sparsity } } maskOverlap(a: $id, b: $b) }', {
      id: imp.id,
      b: rnd.id,
    });
    const bars = await page.$$eval('#layer-bars rect.bar', (rs) =>
      rs.map((r) => ({
        name: r.getAttribute('data-name')!,
        sparsity: Number(r.getAttribute('data-sparsity')),
        width: Number(r.getAttribute('width')),
      })),
    );
    expect(bars.map(({ name, sparsity }) => ({ name, sparsity }))).toEqual(api.ticket.layerSparsity);
    for (const b of bars) expect(b.width).toBeCloseTo(b.sparsity * 260, 1);
    await page.locator('#overlap-other').selectOption(rnd.id);
    await page.waitForSelector('#overlap-result[data-value]');
    expect(Number(await page.locator('#overlap-result').getAttribute('data-value'))).toBe(api.maskOverlap);
    expect(w.problems).toEqual([]);
    await shot(page, 'ticket');
  });

  test('a transfer started from the form fills the heatmap with the API’s cells', async () => {
    const ts = await gql<{ tickets: { edges: Array<{ node: { id: string; sparsity: number } }> } }>(
      'query($f: TicketFilter) { tickets(filter: $f) { edges { node { id sparsity } } } }',
      { f: { runId: impRun } },
    );
    const top = ts.tickets.edges.map((e) => e.node).sort((a, b) => b.sparsity - a.sparsity)[0];
    await page.goto(`${server.baseUrl}/#/start`);
    await ready(page);
    const form = page.locator('#transfer-form');
    await form.locator('select[name=modelId]').selectOption(modelId);
    await form.locator('select[name=ticketIds]').selectOption([top.id]);
    await form.locator(`input[name=taskIds][value="${gqa}"]`).check();
    await form.locator('input[name=steps]').fill('60');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/#\/run\/[0-9a-f-]{36}$/);
    await page.waitForSelector('#run-head .status[data-status="SUCCEEDED"]', { timeout: 90_000 });
    lap('transfer succeeded;');
    await page.goto(`${server.baseUrl}/#/transfer?model=${modelId}&sparsity=${top.sparsity}&mode=STANDARD`);
    await ready(page);
    const cells = await page.$$eval('#transfer-heatmap td[data-source]', (tds) =>
      tds.map((td) => ({
        source: td.getAttribute('data-source'),
        target: td.getAttribute('data-target'),
        score: Number(td.getAttribute('data-score')),
      })),
    );
    const api = await gql<{
      transferMatrix: { cells: Array<{ source: { id: string }; target: { id: string }; score: number }> };
    }>(
      'query($m: ID!, $s: Float!) { transferMatrix(modelId: $m, sparsity: $s) { cells { source { id } target { id } score } } }',
      { m: modelId, s: top.sparsity },
    );
    expect(cells).toEqual(
      api.transferMatrix.cells.map((c) => ({ source: c.source.id, target: c.target.id, score: c.score })),
    );
    expect(cells.some((c) => c.source === snli && c.target === gqa)).toBe(true);
    expect(w.problems).toEqual([]);
    await shot(page, 'transfer');
  });

  test('a refused request shows the GraphQL error in words', async () => {
    await page.goto(`${server.baseUrl}/#/start`);
    await ready(page);
    const form = page.locator('#prune-form');
    await form.locator('select[name=modelId]').selectOption(modelId);
    await form.locator('input[name=sparsities]').fill('0.6, 0.3');
    await form.locator('button[type=submit]').click();
    const err = form.locator('.result .error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/^BAD_USER_INPUT: sparsities: .*increase strictly/);
    expect(page.url()).toMatch(/#\/start$/);
  });

  test('the token is kept in localStorage and sent on HTTP and in connection_init', async () => {
    const p = (await watchedPage(browser, server.baseUrl)).page;
    const auth: string[] = [];
    const inits: string[] = [];
    p.on('request', (r) => {
      if (r.url().endsWith('/graphql')) auth.push(r.headers().authorization ?? '');
    });
    p.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        if (String(f.payload).includes('connection_init')) inits.push(String(f.payload));
      }),
    );
    await p.goto(server.baseUrl + '/');
    await ready(p);
    await p.locator('#token').fill('tl_example_token');
    await p.locator('#token-save').click();
    await p.reload();
    await ready(p);
    await p.waitForTimeout(500);
    expect(await p.evaluate(() => localStorage.getItem('ticketlab.token'))).toBe('tl_example_token');
    expect(auth[auth.length - 1]).toBe('Bearer tl_example_token');
    expect(
      inits
        .map((f) => JSON.parse(f) as { payload?: unknown })
        .some((f) => JSON.stringify(f.payload) === '{"authorization":"Bearer tl_example_token"}'),
    ).toBe(true);
    await p.close();
  });

  test('the explorer loads the schema, runs { health } and follows a subscription', async () => {
    const ex = await watchedPage(browser, server.baseUrl);
    const introspected = ex.page.waitForRequest(
      (r) => r.url().endsWith('/graphql') && (r.postData() ?? '').includes('__schema'),
    );
    const start = Date.now();
    await ex.page.goto(`${server.baseUrl}/graphiql`);
    await ex.page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
    await introspected;
    lap(`explorer loaded in ${Date.now() - start} ms;`);
    await ex.page.evaluate(() => {
      const cm = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
        CodeMirror: { setValue(v: string): void };
      };
      cm.CodeMirror.setValue('{ health }');
    });
    await ex.page.locator('.graphiql-execute-button').click();
    await ex.page.waitForFunction(
      () => document.querySelector('.graphiql-response')?.textContent?.includes('"health": "ok"'),
      null,
      { timeout: 15_000 },
    );
    // A subscription goes over graphql-ws: a run started meanwhile shows up in the response pane.
    await ex.page.evaluate(() => {
      const cm = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
        CodeMirror: { setValue(v: string): void };
      };
      cm.CodeMirror.setValue('subscription { runEvents { runId status } }');
    });
    await ex.page.locator('.graphiql-execute-button').click();
    await ex.page.waitForTimeout(500);
    const ev = await gql<{ evaluate: { id: string } }>('mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }', {
      i: { modelId, taskId: gqa, steps: 10, seeds: [9] },
    });
    await ex.page.waitForFunction(
      (id) => document.querySelector('.graphiql-response')?.textContent?.includes(id),
      ev.evaluate.id,
      { timeout: 30_000 },
    );
    await ex.page.locator('.graphiql-execute-button').click(); // stops the subscription
    // The doc explorer lists the schema's root types from introspection.
    await ex.page.locator('button[aria-label="Show Documentation Explorer"]').click();
    await ex.page.waitForSelector('.graphiql-doc-explorer >> text=Query');
    expect(ex.problems).toEqual([]);
    await shot(ex.page, 'explorer');
    await ex.page.close();
  });
});
