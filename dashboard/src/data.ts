/** Models and tasks, fetched once per page view: every form and chart picks from them. */
import { gql } from './api';

export interface Model { id: string; name: string; source: string; prunableParameterCount: number }
export interface Task { id: string; name: string; kind: string; metric: string; builtIn: boolean }
export interface TicketRow { id: string; method: string; sparsity: number; level: number; seed: number | null; task: { id: string; name: string } | null; model: { id: string; name: string }; createdAt: string }

export async function modelsAndTasks(): Promise<{ models: Model[]; tasks: Task[] }> {
  return gql<{ models: Model[]; tasks: Task[] }>('{ models { id name source prunableParameterCount } tasks { id name kind metric builtIn } }');
}

export async function tickets(filter: Record<string, unknown> = {}, first = 100): Promise<TicketRow[]> {
  const r = await gql<{ tickets: { edges: Array<{ node: TicketRow }> } }>(
    `query($f: TicketFilter, $n: Int) { tickets(filter: $f, first: $n) { edges { node { id method sparsity level seed createdAt task { id name } model { id name } } } } }`,
    { f: filter, n: first },
  );
  return r.tickets.edges.map((e) => e.node);
}

/** PRETRAIN's metric is a loss (lower is better); every other task's score is higher-is-better. */
export function lowerIsBetter(task: Task): boolean {
  return task.kind === 'PRETRAIN';
}

export function ticketLabel(t: TicketRow): string {
  return `${t.method} ${(t.sparsity * 100).toFixed(1)}% · ${t.task?.name ?? '?'} · L${t.level}${t.seed !== null ? ` · seed ${t.seed}` : ''} · ${t.id.slice(0, 8)}`;
}
