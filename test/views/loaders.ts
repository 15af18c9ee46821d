/**
 * The cost of a page: DataLoader batching must keep the number of SQL statements of a tickets
 * page with its relations the same for 10 and for 100 tickets. The server counts statements per
 * request when started with TICKETLAB_TEST_SQL_COUNT=1 (extensions.sqlQueries).
 */
import {
  builtinTaskId,
  insertEvaluation,
  insertMaskTicket,
  insertModelFor,
  TINY_CONFIG,
  withDb,
} from '../helpers/seed';
import type { TestServer } from '../helpers/server';
import { N, prefixMask } from './fixture';

const PAGE = `query($m: ID!, $first: Int) { tickets(filter: { modelId: $m }, first: $first) {
  totalCount edges { node { id sparsity model { name } task { kind } parent { id } run { id } maskUrl
    layerSparsity { name pruned }
    evaluations { score relativeScore weightInit task { kind } model { id } ticket { id } } } } } }`;

interface Page {
  tickets: {
    totalCount: number;
    edges: Array<{
      node: {
        id: string;
        parent: { id: string } | null;
        evaluations: Array<{ relativeScore: number | null; task: { kind: string } }>;
        layerSparsity: Array<{ pruned: number }>;
      };
    }>;
  };
}

export function loaderSuite(server: () => TestServer): void {
  describe('per-request batching (DataLoader)', () => {
    test('a page of 10 and a page of 100 tickets with relations cost the same few SQL statements', async () => {
      const modelId = await withDb(server().databaseUrl, async (db) => {
        const { id } = await insertModelFor(db, 'page-cost model', TINY_CONFIG);
        const [vqa, gqa] = [await builtinTaskId(db, 'VQA'), await builtinTaskId(db, 'GQA')];
        await insertEvaluation(db, { modelId: id, taskId: vqa, score: 0.5 });
        await insertEvaluation(db, { modelId: id, taskId: gqa, score: 0.4 });
        let parent: string | null = null;
        for (let i = 0; i < 110; i++) {
          const tid: string = await insertMaskTicket(db, {
            modelId: id,
            taskId: i % 2 ? vqa : gqa,
            kept: prefixMask(i * 10),
            parentId: parent,
            createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000),
          });
          await insertEvaluation(db, { modelId: id, taskId: vqa, ticketId: tid, score: 0.45, seed: 1 });
          await insertEvaluation(db, { modelId: id, taskId: gqa, ticketId: tid, score: 0.3, seed: 2 });
          parent = i % 3 ? tid : null;
        }
        return id;
      });
      const counts: number[] = [];
      for (const first of [10, 100]) {
        const res = (await server().gql<Page>(PAGE, { m: modelId, first })) as {
          data?: Page;
          errors?: unknown;
          extensions?: { sqlQueries?: number };
        };
        expect(res.errors).toBeUndefined();
        const edges = res.data!.tickets.edges;
        expect(edges).toHaveLength(first);
        expect(res.data!.tickets.totalCount).toBe(110);
        for (const e of edges) {
          expect(e.node.evaluations).toHaveLength(2);
          const rel = Object.fromEntries(e.node.evaluations.map((x) => [x.task.kind, x.relativeScore]));
          expect(rel.VQA).toBeCloseTo(0.45 / 0.5, 12);
          expect(rel.GQA).toBeCloseTo(0.3 / 0.4, 12);
          expect(e.node.layerSparsity).toHaveLength(13);
        }
        expect(edges.some((e) => e.node.parent !== null)).toBe(true);
        counts.push(res.extensions!.sqlQueries!);
      }
      // count, page, model, task, parent ticket, run, masks, evaluations, dense means, evaluation tasks …
      expect(counts[0]).toBe(counts[1]);
      expect(counts[0]).toBeLessThanOrEqual(12);
      expect(counts[0]).toBeGreaterThanOrEqual(4);
      console.log(
        `SQL statements per tickets page (10 and 100 tickets): ${counts.join(', ')}; mask bits per ticket ${N}`,
      );
    });
  });
}
