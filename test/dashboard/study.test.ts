/**
 * The Study page in headless Chromium against the real server: a study started from the form
 * (tiny model, 2 tasks, 2 seeds, all four baselines and the Early-Bird ticket) shows live progress until SUCCEEDED, and then
 * every number the page draws — Table 1, the curves and baseline points, Tables 2 and 5, the
 * findings, the transfer and overlap heatmaps — equals the report the API answers; the studies
 * list shows it; a refused request shows the GraphQL error.
 */
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, taskIdOf } from '../helpers/runs';
import { HAVE_CHROMIUM, launch, MISSING_CHROMIUM, ready, shot, watchedPage, type Watched } from './browser';

if (!HAVE_CHROMIUM) {
  if (process.env.CI)
    test('chromium is installed', () => {
      throw new Error(MISSING_CHROMIUM);
    });
  else console.warn(`study page browser tests skipped: ${MISSING_CHROMIUM}`);
}
const suite = HAVE_CHROMIUM ? describe : describe.skip;

type Stat = { mean: number; n: number } | null;
interface Row {
  task: { id: string };
  relaxedSparsity: number | null;
  dense: Stat;
  imp: Stat;
  randomPruning: Stat;
  shuffledWeights: Stat;
  randomInit: Stat;
  oneShot: Stat;
  earlyBird: Stat;
  baselineSparsity: number | null;
  curve: Array<{ sparsity: number; stat: { mean: number; n: number } }>;
}
interface Report {
  tickets: Row[];
  pretrainingTransfer: Array<{ sparsity: number; cells: Array<{ target: { id: string }; score: number }> }>;
  adversarial: Array<{ sparsity: number; task: { id: string }; standard: Stat; adversarial: Stat }>;
  findings: Array<{ key: string; holds: boolean | null }>;
  transfer: { cells: Array<{ source: { id: string }; target: { id: string }; score: number }> };
  overlap: { tasks: Array<{ id: string }>; values: number[][] };
}

suite('the Study page in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let w: Watched;
  let page: Page;
  let modelId: string;
  let vqa: string;
  let ve: string;
  let studyId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launch()]);
    modelId = await pretrainTinyModel(server, 'tiny-study-page');
    vqa = await taskIdOf(server, 'VQA');
    ve = await taskIdOf(server, 'SNLI_VE');
    w = await watchedPage(browser, server.baseUrl);
    page = w.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function fill(name: string, values: Record<string, string>): Promise<void> {
    await page.goto(server.baseUrl + '/#/studies');
    await ready(page);
    const form = page.locator('#study-form');
    await form.locator('input[name=name]').fill(name);
    await form.locator('select[name=preset]').selectOption('SMOKE');
    await form.locator('select[name=modelId]').selectOption(modelId);
    for (const t of [vqa, ve]) await form.locator(`input[name=taskIds][value="${t}"]`).check();
    await form.locator('input[name=baselines][value=ONE_SHOT]').check();
    await form.locator('input[name=baselines][value=RANDOM_INIT]').check();
    await form.locator('input[name=baselines][value=EARLY_BIRD]').check();
    for (const [k, v] of Object.entries(values)) await form.locator(`input[name=${k}]`).fill(v);
  }

  test('a refused request shows the GraphQL error in words', async () => {
    await fill('refused', { sparsities: '0.3, 1.5' });
    await page.locator('#study-form button[type=submit]').click();
    const err = page.locator('#study-form .result .error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/^BAD_USER_INPUT: sparsities\[1\]: /);
    expect(page.url()).toMatch(/#\/studies$/);
    expect(w.problems).toEqual([]);
  });

  test('a study started from the form shows live progress until SUCCEEDED, then the report as the API answers it', async () => {
    await fill('page study', {
      sparsities: '0.3, 0.6',
      transferSparsities: '0.6',
      taskTransferSparsity: '0.6',
      adversarialSparsities: '0.6',
      seeds: '1, 2',
      stepsPerLevel: '6',
      steps: '6',
    });
    await page.locator('#study-form button[type=submit]').click();
    await page.waitForURL(/#\/study\/[0-9a-f-]{36}$/);
    studyId = page.url().split('/').pop()!;
    await ready(page);
    await page.evaluate(() => {
      const bar = document.querySelector<HTMLElement>('#study-head .progress')!;
      const seen: number[] = [Number(bar.dataset.progress)];
      (window as unknown as { seen: number[] }).seen = seen;
      new MutationObserver(() => seen.push(Number(bar.dataset.progress))).observe(bar, {
        attributes: true,
        attributeFilter: ['data-progress'],
      });
    });
    await page.waitForSelector('#study-head .status[data-status="SUCCEEDED"]', { timeout: 300_000 });
    await page.waitForSelector('#study-body[data-status="SUCCEEDED"]', { timeout: 20_000 });
    await page.waitForSelector('#study-heatmaps[data-status="SUCCEEDED"]', { timeout: 20_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    expect([...new Set(seen.filter((p) => p > 0 && p < 1))].length).toBeGreaterThanOrEqual(2);
    expect(seen[seen.length - 1]).toBe(1);
    expect(await page.locator('#study-head .runs-done').textContent()).toBe('38 / 38 runs');

    const stat = 'mean n';
    const r = await server.gql<{ study: { report: Report } }>(
      `query($id: ID!) { study(id: $id) { report {
        tickets { task { id } relaxedSparsity baselineSparsity dense { ${stat} } imp { ${stat} } randomPruning { ${stat} }
          shuffledWeights { ${stat} } randomInit { ${stat} } oneShot { ${stat} } earlyBird { ${stat} } curve { sparsity stat { ${stat} } } }
        pretrainingTransfer { sparsity cells { target { id } score } }
        adversarial { sparsity task { id } standard { ${stat} } adversarial { ${stat} } }
        findings { key holds }
        transfer(sparsity: 0.6) { cells { source { id } target { id } score } }
        overlap(sparsity: 0.6) { tasks { id } values } } } }`,
      { id: studyId },
    );
    const rep = r.data!.study.report;
    expect(rep.tickets).toHaveLength(2);

    // Table 1: every statistic cell holds the report's mean, to the last digit.
    const cells = (sel: string, attr: string) =>
      page.$$eval(
        sel,
        (els, a) =>
          els.map((e) => [
            e.closest('tr')!.getAttribute('data-task') ?? e.closest('tr')!.getAttribute('data-sparsity'),
            e.getAttribute('data-col'),
            e.getAttribute(a),
          ]),
        attr,
      );
    const t1 = await cells('#table1 td[data-mean]', 'data-mean');
    const want1 = rep.tickets.flatMap((row) =>
      (['dense', 'imp', 'randomPruning', 'randomInit', 'shuffledWeights', 'oneShot', 'earlyBird'] as const)
        .filter((k) => row[k])
        .map((k) => [row.task.id, k, String(row[k]!.mean)]),
    );
    expect(t1.sort()).toEqual(want1.sort());
    expect(want1.length).toBe(14); // every column stored for both tasks

    // Curves: the IMP marks are the report's curve; the baseline rings sit at the baseline sparsity.
    for (const row of rep.tickets) {
      const marks = await page.$$eval(`svg.study-curve[data-task="${row.task.id}"] circle.pt`, (cs) =>
        cs.map((c) => [
          c.getAttribute('data-series'),
          Number(c.getAttribute('data-sparsity')),
          Number(c.getAttribute('data-mean')),
        ]),
      );
      const imp = row.curve.map((p) => ['IMP', p.sparsity, p.stat.mean]);
      expect(marks.filter((m) => m[0] === 'IMP')).toEqual(imp);
      const rings = marks.filter((m) => m[0] !== 'IMP');
      expect(rings).toHaveLength(5);
      for (const m of rings) expect(m[1]).toBe(row.baselineSparsity);
      expect(rings.map((m) => m[2]).sort()).toEqual(
        [row.randomPruning, row.randomInit, row.shuffledWeights, row.oneShot, row.earlyBird].map((s) => s!.mean).sort(),
      );
    }

    // Table 2: the pre-training ticket's scores; Table 5: standard and adversarial per task.
    const t2 = await cells('#table2 td[data-score]', 'data-score');
    expect(t2.sort()).toEqual(
      rep.pretrainingTransfer
        .flatMap((row) => row.cells.map((c) => [String(row.sparsity), c.target.id, String(c.score)]))
        .sort(),
    );
    expect(t2.length).toBe(4); // dense and 60% on both tasks
    const t5 = await page.$$eval('#table5 td[data-mean]', (els) =>
      els.map((e) => [
        e.closest('tr')!.getAttribute('data-sparsity'),
        e.closest('tr')!.getAttribute('data-mode'),
        e.getAttribute('data-col'),
        e.getAttribute('data-mean'),
      ]),
    );
    expect(t5.sort()).toEqual(
      rep.adversarial
        .flatMap((a) =>
          (['standard', 'adversarial'] as const).map((m) => [String(a.sparsity), m, a.task.id, String(a[m]!.mean)]),
        )
        .sort(),
    );
    expect(t5.length).toBe(4);

    // Findings: decided exactly as the API decides them (none undecided once everything is stored).
    const f = await page.$$eval('#findings li', (els) =>
      els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-holds')]),
    );
    expect(f).toEqual(rep.findings.map((x) => [x.key, x.holds === null ? 'undecided' : String(x.holds)]));
    expect(f.some(([, hold]) => hold === 'undecided')).toBe(false);

    // Heatmaps at 60%: task-ticket transfer cells and the mask overlap matrix.
    const tr = await page.$$eval('#transfer-heatmap td[data-score]', (els) =>
      els.map((e) => [e.getAttribute('data-source'), e.getAttribute('data-target'), e.getAttribute('data-score')]),
    );
    expect(tr.sort()).toEqual(rep.transfer.cells.map((c) => [c.source.id, c.target.id, String(c.score)]).sort());
    expect(tr.length).toBeGreaterThanOrEqual(2);
    const ov = await page.$$eval('#overlap-heatmap td', (els) =>
      els.map((e) => [e.getAttribute('data-row'), e.getAttribute('data-col'), Number(e.getAttribute('data-value'))]),
    );
    expect(ov).toEqual(
      rep.overlap.tasks.flatMap((a, i) => rep.overlap.tasks.map((b, j) => [a.id, b.id, rep.overlap.values[i][j]])),
    );
    expect(rep.overlap.tasks).toHaveLength(3); // both tasks and PRETRAIN
    expect(w.problems).toEqual([]);
    await shot(page, 'study');
  }, 400_000);

  test('the studies list shows the study with its status', async () => {
    await page.goto(server.baseUrl + '/#/studies');
    await ready(page);
    const row = page.locator(`tr[data-study-id="${studyId}"]`);
    expect(await row.getAttribute('data-status')).toBe('SUCCEEDED');
    expect(await row.locator('.progress').getAttribute('data-progress')).toBe('1');
    expect(w.problems).toEqual([]);
  });
});
