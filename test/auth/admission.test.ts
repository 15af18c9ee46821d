/**
 * The admission middleware on its own (src/auth/concurrency.ts), driven with real Express
 * request/response objects over a real HTTP server: the global cap holds operations of different
 * callers back until one finishes, the per-caller queue overflows into 429, the heap budget
 * refuses with 503 and Retry-After, and `{ health }`-style cheap requests pass through all of it.
 */
import 'reflect-metadata';
import express from 'express';
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import { admission } from '../../src/auth/concurrency';
import { loadConfig } from '../../src/config';

let server: Server;
let url: string;
let heapMb = 10;
const gates: Array<() => void> = [];
let running = 0;
let peak = 0;

beforeAll(async () => {
  const limits = {
    ...loadConfig({}).limits,
    concurrentPerCaller: 2,
    queuedPerCaller: 1,
    concurrentTotal: 3,
    heapBudgetMb: 100,
  };
  const app = express();
  app.use((req, res, next) => {
    res.locals.caller = { tokenId: req.headers['x-caller'] ?? null, name: 'x', scope: 'read' };
    res.locals.cheap = req.headers['x-cheap'] === '1';
    next();
  });
  app.use(admission(limits, () => heapMb));
  // An operation that runs until the test lets it go.
  app.get('/op', (_req, res) => {
    running++;
    peak = Math.max(peak, running);
    gates.push(() => {
      running--;
      res.json({ ok: true });
    });
  });
  await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/op`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const call = (caller: string, cheap = false) =>
  fetch(url, { headers: { 'x-caller': caller, ...(cheap ? { 'x-cheap': '1' } : {}) } });
const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f()).toBe(true);
};

test('the global cap holds back other callers; the per-caller queue overflows into 429', async () => {
  const a = [call('a'), call('a')]; // a's two slots
  const b1 = call('b'); // the third global slot
  await until(() => running === 3);
  const b2 = call('b'); // b has a slot free, but every global slot is taken: it waits
  const a3 = call('a'); // a's queue (1)
  await new Promise((r) => setTimeout(r, 100));
  expect(running).toBe(3);
  const a4 = await call('a'); // a: 2 running + 1 waiting → refused
  expect(a4.status).toBe(429);
  expect(((await a4.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe(
    'TOO_MANY_REQUESTS',
  );
  const cheap = call('a', true); // cheap: straight through, even now
  await until(() => running === 4);
  gates.pop()!(); // the newest operation is the cheap one
  expect((await cheap).status).toBe(200);
  while (gates.length || running) {
    if (gates.length) gates.shift()!();
    await new Promise((r) => setTimeout(r, 20));
  }
  const statuses = await Promise.all([...a, b1, b2, a3].map(async (p) => (await p).status));
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  expect(peak).toBe(4); // 3 admitted + the cheap one
});

test('above the heap budget new operations get 503 with Retry-After; cheap ones still pass', async () => {
  heapMb = 150;
  try {
    const r = await call('c');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    const body = (await r.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.errors[0].message).toMatch(/150 MB of heap, above its budget of 100 MB/);
    const cheap = call('c', true);
    await until(() => gates.length === 1);
    gates.shift()!();
    expect((await cheap).status).toBe(200);
  } finally {
    heapMb = 10;
  }
});
