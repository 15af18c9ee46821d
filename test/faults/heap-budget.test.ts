/**
 * The heap budget on a real server whose budget (1 MB) is always exceeded: every operation but a
 * readiness probe is refused with SERVICE_UNAVAILABLE — over HTTP as a 503 with Retry-After, over
 * WebSocket as an error on the operation, the socket kept — and `{ health }` answers on both.
 */
import { startServer, type TestServer } from '../helpers/server';
import { RawWs, wsCodes } from '../auth/ws-client';

let server: TestServer;
let ws: RawWs;

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_HEAP_BUDGET_MB: '1', TICKETLAB_WORKER: '0' } });
  ws = await RawWs.open(server.wsUrl);
}, 120_000);

afterAll(async () => {
  await ws?.close();
  await server?.stop();
});

const post = (query: string) =>
  fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });

test('over HTTP: 503 SERVICE_UNAVAILABLE with Retry-After naming the budget; { health } answers', async () => {
  const r = await post('{ runs { totalCount } }');
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toBe('1');
  const body = (await r.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
  expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
  expect(body.errors[0].message).toMatch(/MB of heap, above its budget of 1 MB \(TICKETLAB_HEAP_BUDGET_MB\)/);
  const health = await post('{ health }');
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ data: { health: 'ok' } });
});

test('over WebSocket: the operation gets SERVICE_UNAVAILABLE, the socket keeps serving { health }', async () => {
  ws.subscribe('q', '{ runs { totalCount } }');
  expect(wsCodes(await ws.result('q'))).toEqual(['SERVICE_UNAVAILABLE']);
  ws.subscribe('h', '{ health }');
  expect((await ws.result('h'))?.payload).toEqual({ data: { health: 'ok' } });
  expect(ws.isClosed).toBeNull();
});
