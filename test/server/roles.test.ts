/**
 * `ticketlab worker` and `ticketlab migrate` load no GraphQL: what main.ts requires for them (the
 * database opener and the jobs start) is required in a fresh Node process and its module cache
 * read. The API path is checked the same way, so the probe is known to see GraphQL when it loads.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const SRC = path.resolve(__dirname, '..', '..', 'src');
const API_PACKAGES = /node_modules[\\/](graphql|type-graphql|@apollo|graphql-ws|express)[\\/]/;

function loadedApiPackages(modules: string[]): string[] {
  const script = `
    require('reflect-metadata');
    for (const m of ${JSON.stringify(modules.map((m) => path.join(SRC, m)))}) require(m);
    const hits = Object.keys(require.cache).filter((p) => ${API_PACKAGES}.test(p));
    process.stdout.write(JSON.stringify([...new Set(hits.map((p) => p.split(/node_modules[\\\\/]/).pop().split(/[\\\\/]/)[0]))]));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.resolve(SRC, '..', '..') });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

test('the worker and migrate roles load no GraphQL or HTTP server package', () => {
  expect(loadedApiPackages(['app/database', 'app/jobs', 'config'])).toEqual([]);
});

test('the API role does (so the probe above can see them)', () => {
  expect(loadedApiPackages(['app/server', 'app/entities'])).toEqual(
    expect.arrayContaining(['graphql', 'type-graphql', '@apollo']),
  );
});
