/** The export routes over HTTP: mask safetensors, evaluations CSV, run metrics CSV. */
import { randomUUID } from 'crypto';
import { decodeSafetensors } from '../../src/core/io/safetensors';
import { Mask } from '../../src/core/pruning';
import { insertMetricPoints, insertRun, insertTicket, withDb } from '../helpers/seed';
import type { TestServer } from '../helpers/server';
import { csvRecords } from './csv-parse';
import { LAYOUT, layeredMask, type Study } from './fixture';

export function exportSuite(server: () => TestServer, study: () => Study): void {
  const get = (path: string) => fetch(server().baseUrl + path);

  describe('GET /export/tickets/{id}/mask.safetensors', () => {
    test('one U8 0/1 tensor per prunable weight, named and shaped like it, bits as stored', async () => {
      const s = study();
      const res = await get(`/export/tickets/${s.t.L}/mask.safetensors`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      const body = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(body.length);
      const decoded = decodeSafetensors(body);
      expect([...decoded.tensors.keys()]).toEqual(LAYOUT.map((l) => l.name));
      const { kept } = layeredMask();
      let offset = 0;
      for (const l of LAYOUT) {
        const t = decoded.tensors.get(l.name)!;
        expect(t.dtype).toBe('U8');
        expect(t.shape).toEqual(l.shape);
        const n = l.shape[0] * l.shape[1];
        expect(Buffer.from(t.data as Uint8Array).equals(Buffer.from(kept.subarray(offset, offset + n)))).toBe(true);
        offset += n;
      }
      expect(decoded.metadata['ticketlab.ticket']).toBe(s.t.L);
      const gql = await server().gql<{ ticket: { maskSha256: string; maskUrl: string } }>(
        'query($id: ID!) { ticket(id: $id) { maskSha256 maskUrl } }',
        { id: s.t.L },
      );
      expect(Mask.fromSafetensors(body).sha256()).toBe(gql.data!.ticket.maskSha256);
      expect(gql.data!.ticket.maskUrl).toBe(`/export/tickets/${s.t.L}/mask.safetensors`);
    });

    test('404 for unknown or malformed ids, 409 for a mask that does not fit its model, JSON, no stack', async () => {
      for (const id of [randomUUID(), 'not-an-id']) {
        const res = await get(`/export/tickets/${id}/mask.safetensors`);
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: 'NOT_FOUND', message: `ticket "${id}" not found` });
      }
      const s = study();
      const bad = await withDb(server().databaseUrl, (db) =>
        insertTicket(db, { modelId: s.modelId, taskId: s.vqa, bits: 20 }),
      );
      const res = await get(`/export/tickets/${bad}/mask.safetensors`);
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('CONFLICT');
      expect(body.message).toMatch(/20 bits/);
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.js:\d+/);
    });
  });

  describe('GET /export/evaluations.csv', () => {
    test('filters, RFC 4180 quoting, relative scores and one column per metric', async () => {
      const s = study();
      const res = await get(`/export/evaluations.csv?modelId=${s.modelId}&taskId=${s.gqa}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await res.text();
      const { header, records } = csvRecords(text);
      expect(header).toEqual([
        'id',
        'created_at',
        'model_id',
        'model_name',
        'task_id',
        'task_name',
        'task_kind',
        'ticket_id',
        'ticket_method',
        'ticket_sparsity',
        'ticket_level',
        'weight_init',
        'training_mode',
        'seed',
        'steps',
        'score',
        'relative_score',
        'run_id',
        'metrics.acc',
        'metrics.n_examples',
      ]);
      // dense 0.7, 0.72; B 0.68; E 0.7; P 0.66 — oldest first.
      expect(records.map((r) => [r.ticket_id, Number(r.score)])).toEqual([
        ['', 0.7],
        ['', 0.72],
        [s.t.B, 0.68],
        [s.t.E, 0.7],
        [s.t.P, 0.66],
      ]);
      expect(text).toContain('"tiny, ""views"" model"');
      expect(records[0].model_name).toBe('tiny, "views" model');
      expect(Number(records[2].relative_score)).toBeCloseTo(0.68 / 0.71, 12);
      expect(records[2]).toMatchObject({
        ticket_method: 'IMP',
        ticket_sparsity: '0.5',
        task_kind: 'GQA',
        weight_init: 'PRETRAINED',
        'metrics.acc': '0.68',
        'metrics.n_examples': '500',
      });
      expect(records[0].ticket_sparsity).toBe('');
    });

    test('enum and dense filters; 400 for malformed ids, unknown parameters and bad enums', async () => {
      const s = study();
      const adv = csvRecords(
        await (await get(`/export/evaluations.csv?modelId=${s.modelId}&trainingMode=ADVERSARIAL`)).text(),
      ).records;
      expect(adv.map((r) => [r.ticket_id, r.score])).toEqual([[s.t.A, '0.9']]);
      const shuffled = csvRecords(
        await (await get(`/export/evaluations.csv?ticketId=${s.t.B}&weightInit=SHUFFLED`)).text(),
      ).records;
      expect(shuffled.map((r) => r.score)).toEqual(['0.3']);
      const dense = csvRecords(
        await (await get(`/export/evaluations.csv?modelId=${s.modelId}&dense=true`)).text(),
      ).records;
      expect(dense).toHaveLength(7);
      const empty = await (await get(`/export/evaluations.csv?modelId=${randomUUID()}`)).text();
      expect(csvRecords(empty).records).toEqual([]);
      for (const q of [
        'modelId=nope',
        'modelID=' + s.modelId,
        'trainingMode=FAST',
        `modelId=${s.modelId}&modelId=${s.modelId}`,
        'dense=yes',
      ]) {
        const res = await get(`/export/evaluations.csv?${q}`);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('GET /export/runs/{id}/metrics.csv', () => {
    test('step,name,value of the run, by name then step; name filter; 404 for unknown runs', async () => {
      const runId = await withDb(server().databaseUrl, async (db) => {
        const id = await insertRun(db, 'PRUNE');
        await insertMetricPoints(db, id, [
          { step: 10, name: 'loss', value: 1.5 },
          { step: 0, name: 'loss', value: 2.25 },
          { step: 10, name: 'lr', value: 1e-4 },
          { step: 20, name: 'val/score', value: 0.61 },
          { step: 20, name: 'loss', value: 1.125 },
        ]);
        return id;
      });
      const res = await get(`/export/runs/${runId}/metrics.csv`);
      expect(res.status).toBe(200);
      const { header, records } = csvRecords(await res.text());
      expect(header).toEqual(['step', 'name', 'value']);
      expect(records.map((r) => [Number(r.step), r.name, Number(r.value)])).toEqual([
        [0, 'loss', 2.25],
        [10, 'loss', 1.5],
        [20, 'loss', 1.125],
        [10, 'lr', 1e-4],
        [20, 'val/score', 0.61],
      ]);
      const only = csvRecords(
        await (await get(`/export/runs/${runId}/metrics.csv?name=lr&name=val/score`)).text(),
      ).records;
      expect(only.map((r) => r.name)).toEqual(['lr', 'val/score']);
      for (const id of [randomUUID(), 'x']) {
        const missing = await get(`/export/runs/${id}/metrics.csv`);
        expect(missing.status).toBe(404);
        expect(((await missing.json()) as { error: string }).error).toBe('NOT_FOUND');
      }
      expect((await get(`/export/runs/${runId}/metrics.csv?points=3`)).status).toBe(400);
    });
  });
}
