/** Runs the built `ticketlab` binary as a child process, as a user would, and collects its output. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAIN_JS } from '../helpers/server';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** An empty TICKETLAB_HOME, so no runtime file of another server is found by accident. */
export const EMPTY_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-cli-home-'));

export function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env, TICKETLAB_HOME: EMPTY_HOME };
  delete base.TICKETLAB_URL;
  delete base.TICKETLAB_TOKEN;
  const started = Date.now();
  const proc = spawn(process.execPath, [MAIN_JS, ...args], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/** The progress lines a non-TTY `watch` prints. */
export const PROGRESS_LINE =
  /^RUNNING\s+\[[#-]{24}\]\s+(\d+)%\s+step (\d+)\/(\d+)\s+loss (-?[\d.e+-]+)\s+ETA (\d+:\d\d|\?)/;
