/**
 * The server's own memory as V8 sees it, through the inspector of a server started with
 * `nodeArgs: ['--inspect=127.0.0.1:0']`: a full garbage collection (HeapProfiler.collectGarbage),
 * then process.memoryUsage(). The product has no hook for this; the test asks the runtime.
 */
import WebSocket from 'ws';
import type { TestServer } from './server';

export interface Memory {
  heapUsedMb: number;
  rssMb: number;
}

export async function collectedMemory(server: TestServer): Promise<Memory> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(server.output())?.[1];
  if (!url) throw new Error('the server was not started with --inspect');
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const m = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: unknown };
        if (m.id !== mine) return;
        ws.off('message', onMessage);
        if (m.error) reject(new Error(JSON.stringify(m.error)));
        else resolve(m.result ?? {});
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const r = (await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    const m = JSON.parse(r.result.value) as { heapUsed: number; rss: number };
    return { heapUsedMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
  } finally {
    ws.close();
  }
}
