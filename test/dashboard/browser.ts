/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with every page
 * watched for console errors, uncaught exceptions, failed requests and requests leaving the
 * server's origin. Without the binary: CI fails with a message, a local run skips saying why.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TICKETLAB_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
export const MISSING_CHROMIUM = `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium; .ci/run does) to run the dashboard's browser tests`;

/** Screenshots for a human to look at; the directory is git-ignored. */
export const SHOT_DIR = path.resolve(__dirname, '..', '..', '..', 'screenshots');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface Watched {
  page: Page;
  /** console errors, page exceptions, failed requests, off-origin requests, HTTP ≥ 400 answers. */
  problems: string[];
  /** every request URL the page made. */
  requests: string[];
}

export async function watchedPage(browser: Browser, origin: string): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('request', (r) => {
    requests.push(r.url());
    const u = new URL(r.url());
    const local =
      u.protocol === 'data:' ||
      u.protocol === 'blob:' ||
      `${u.protocol}//${u.host}` === origin ||
      `http://${u.host}` === origin;
    if (!local) problems.push(`off-origin request: ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { page, problems, requests };
}

/** Waits for the dashboard's router to finish rendering the view of the current URL. */
export async function ready(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const main = document.querySelector('main');
      return main?.dataset.ready === 'true' && main.dataset.route === location.hash;
    },
    null,
    { timeout },
  );
}

export async function shot(page: Page, name: string): Promise<void> {
  if (!process.env.TICKETLAB_SCREENSHOTS) return;
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOT_DIR, `${name}.png`), fullPage: true });
}
