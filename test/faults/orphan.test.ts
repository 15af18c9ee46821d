/**
 * Crash safety of the embedded database: when the Node process dies without shutting down
 * (SIGKILL of its pid alone, as an OOM kill or a container runtime would), its PostgreSQL outlives
 * it; the next start on the same home finds the cluster's owner dead, stops the orphan and starts
 * again on its own, with the stored rows intact.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startServer, tempHome } from '../helpers/server';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a start after SIGKILL of the Node pid alone recovers the orphaned cluster', async () => {
  const home = tempHome();
  try {
    const first = await startServer({ home, embedded: true });
    const made = await first.gql<{ tasks: Array<{ id: string }> }>('{ tasks { id } }');
    const tasks = made.data!.tasks.length;
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    await exited;
    const pidFile = path.join(home, 'pg', 'data', 'postmaster.pid');
    const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    expect(alive(postmaster)).toBe(true); // the orphan the next start must deal with

    const second = await startServer({ home, embedded: true });
    try {
      expect(second.output()).toMatch(/outlived the process that started it.*stopping it to start again/);
      expect(alive(postmaster)).toBe(false);
      expect((await second.gql('{ health }')).data).toEqual({ health: 'ok' });
      const again = await second.gql<{ tasks: Array<{ id: string }> }>('{ tasks { id } }');
      expect(again.data!.tasks.length).toBe(tasks);
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}, 180_000);
