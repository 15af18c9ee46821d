/**
 * Keeps studies moving in an API process: every run event of a run a study uses triggers that
 * study's advance (debounced), and a sweep advances every unfinished study at start and every
 * `sweepMs` — NOTIFY is best effort, and a restart must resume what a crash interrupted.
 */
import type { DataSource } from 'typeorm';
import type { PgPubSub } from '../events/bus';
import { RUN_EVENTS, type RunEventPayload } from '../lifecycle/run-events';
import type { StudyService } from './study.service';

export interface StudyDriver {
  close(): Promise<void>;
}

export function startStudyDriver(
  ds: DataSource,
  bus: PgPubSub,
  studies: StudyService,
  log: (l: string) => void,
  sweepMs = 15_000,
): StudyDriver {
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  let closed = false;
  const schedule = (id: string, delay = 300) => {
    if (closed || timers.has(id)) return;
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        const prev = running.get(id) ?? Promise.resolve();
        const next = prev.then(() => studies.advance(id));
        running.set(id, next);
        void next.finally(() => running.get(id) === next && running.delete(id));
      }, delay),
    );
  };
  const events = bus.subscribe(RUN_EVENTS)[Symbol.asyncIterator]();
  void (async () => {
    for (;;) {
      const n = await events.next();
      if (n.done || closed) return;
      const ev = n.value as RunEventPayload;
      try {
        const rows = (await ds.query(`SELECT DISTINCT study_id FROM study_step WHERE run_id = $1`, [
          ev.runId,
        ])) as Array<{
          study_id: string;
        }>;
        // Status changes move the plan on at once; progress only refreshes the study's progress.
        for (const r of rows) schedule(r.study_id, ev.status ? 200 : 1000);
      } catch (e) {
        if (!closed) log(`study driver: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })();
  const sweep = async () => {
    try {
      const rows = (await ds.query(`SELECT id FROM study WHERE status IN ('QUEUED', 'RUNNING')`)) as Array<{
        id: string;
      }>;
      for (const r of rows) schedule(r.id, 0);
    } catch (e) {
      if (!closed) log(`study sweep: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), sweepMs);
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await events.return?.();
      await Promise.allSettled([...running.values()]);
    },
  };
}
