/**
 * The dashboard against a server that requires tokens (TICKETLAB_AUTH=required): without a token
 * it says so in words; with a pasted read token (from `ticketlab token create`) the runs list,
 * its live subscription and the explorer's schema load; a mutation the token's scope does not
 * allow comes back as a readable FORBIDDEN.
 */
import { spawnSync } from 'child_process';
import type { Browser } from 'playwright-core';
import { MAIN_JS, startServer, type TestServer } from '../helpers/server';
import { HAVE_CHROMIUM, launch, ready, watchedPage } from './browser';

const suite = HAVE_CHROMIUM ? describe : describe.skip; // dashboard.test.ts reports a missing chromium

suite('dashboard with tokens required', () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({ env: { TICKETLAB_AUTH: 'required', TICKETLAB_WORKER: '0' } }),
      launch(),
    ]);
    const r = spawnSync(process.execPath, [MAIN_JS, 'token', 'create', '--name', 'dash', '--scope', 'read'], {
      env: { ...process.env, TICKETLAB_HOME: server.home, DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
    token = r.stdout.trim();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('no token: a readable UNAUTHENTICATED; a pasted read token: data, live updates, the explorer; FORBIDDEN shown', async () => {
    const { page, problems } = await watchedPage(browser, server.baseUrl);
    await page.goto(server.baseUrl + '/');
    await ready(page);
    // The page's query and its live-updates socket both report the refusal; either may draw first.
    const shown = await page.locator('main .error').allTextContents();
    expect(shown.some((t) => /^UNAUTHENTICATED: /.test(t))).toBe(true);
    expect(problems.filter((p) => p.startsWith('exception'))).toEqual([]);

    await page.locator('#token').fill(token);
    await Promise.all([page.waitForEvent('load'), page.locator('#token-save').click()]);
    await ready(page);
    await page.waitForSelector('#live[data-state="live"]', { timeout: 10_000 });
    expect(await page.locator('main .error').count()).toBe(0);
    expect(await page.locator('table.runs').count()).toBe(1);
    await page.waitForFunction(() => document.querySelector('#compute')?.textContent?.includes('health ok'));

    await page.goto(server.baseUrl + '/#/start');
    await ready(page);
    await page.locator('#prune-form button[type=submit]').click();
    const err = page.locator('#prune-form .result .error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/^FORBIDDEN: /);

    // The explorer (same origin, same localStorage) introspects with the token.
    const schema = page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('__schema'),
    );
    await page.goto(server.baseUrl + '/graphiql');
    expect((await schema).status()).toBe(200);
    await page.waitForSelector('.graphiql-container');
    expect(problems.filter((p) => p.startsWith('exception') || p.startsWith('off-origin'))).toEqual([]);
    await page.close();
  });
});
