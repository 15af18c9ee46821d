/**
 * A client of the study API: starts (or finds again) a study on a running server, follows its
 * progress, prints its tables and findings, and writes the report under .ticketlab/studies/.
 *   npm run study -- [--preset PAPER|SMOKE] [--model mini-uniter] [--seeds 1,2,3] [--name N]
 *                    [--steps-per-level N] [--steps N] [--url http://127.0.0.1:4000/graphql]
 * The server is found through $TICKETLAB_HOME/runtime.json unless --url is given; a token, when
 * the server needs one, comes from TICKETLAB_TOKEN.
 */
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { flag, gql, home, url } from './api-client';

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(3));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'none' : `${Math.round(v * 100)}%`);
type Stat = { mean: number; relative: number | null; n: number } | null;
const stat = (s: Stat) => (s ? `${f3(s.mean)} (${f3(s.relative)})` : '–');

const REPORT = `{ status progress error cost { runs reusedRuns trainingSteps computeSeconds } report {
  tickets { task { name } dense { mean n } relaxedSparsity strictSparsity baselineSparsity
            imp { mean relative n } randomPruning { mean relative n } shuffledWeights { mean relative n }
            randomInit { mean relative n } oneShot { mean relative n } }
  pretrainingTransfer { sparsity cells { target { name } score relativeScore } averageRelative averageDrop }
  adversarial { sparsity task { name } standard { mean relative n } adversarial { mean relative n } }
  findings { key holds evidence } provenance { commit backend kernels worker runs } } }`;

async function main(): Promise<void> {
  const modelName = flag('model') ?? 'mini-uniter';
  const { models } = await gql<{ models: Array<{ id: string; name: string }> }>('{ models { id name } }');
  const model = models.find((m) => m.name === modelName || m.id === modelName);
  if (!model) throw new Error(`no model ${modelName} on ${url}`);
  const preset = flag('preset') ?? 'PAPER';
  const input: Record<string, unknown> = {
    name: flag('name') ?? `${preset.toLowerCase()} study`,
    preset,
    modelId: model.id,
  };
  if (flag('seeds')) input.seeds = flag('seeds')!.split(',').map(Number);
  if (flag('steps-per-level')) input.stepsPerLevel = Number(flag('steps-per-level'));
  if (flag('steps')) input.steps = Number(flag('steps'));
  const started = Date.now();
  const { startStudy } = await gql<{ startStudy: { id: string } }>(
    'mutation($i: StudyInput!) { startStudy(input: $i) { id } }',
    { i: input },
  );
  console.log(`study ${startStudy.id} on ${url}`);
  type Report = { study: { status: string; progress: number; error: string | null; report: Record<string, unknown> } };
  let r: Report;
  for (;;) {
    r = await gql<Report>(`query($id: ID!) { study(id: $id) ${REPORT} }`, { id: startStudy.id });
    const s = r.study;
    console.log(
      `${s.status.padEnd(10)} ${(s.progress * 100).toFixed(1)}%  ${((Date.now() - started) / 60000).toFixed(1)} min`,
    );
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s.status)) break;
    await new Promise((res) => setTimeout(res, 15_000));
  }
  const rep = r.study.report as {
    tickets: Array<
      Record<string, Stat> & {
        task: { name: string };
        relaxedSparsity: number;
        strictSparsity: number;
        baselineSparsity: number;
      }
    >;
    pretrainingTransfer: Array<{
      sparsity: number;
      cells: Array<{ target: { name: string }; score: number; relativeScore: number }>;
      averageRelative: number;
    }>;
    adversarial: Array<{ sparsity: number; task: { name: string }; standard: Stat; adversarial: Stat }>;
    findings: Array<{ key: string; holds: boolean | null; evidence: string }>;
  };
  console.log(
    '\nTable 1 (score (relative)): task | dense | relaxed | strict | at | IMP | random | shuffled | random init',
  );
  for (const t of rep.tickets)
    console.log(
      [
        t.task.name,
        f3(t.dense?.mean),
        pct(t.relaxedSparsity),
        pct(t.strictSparsity),
        pct(t.baselineSparsity),
        stat(t.imp),
        stat(t.randomPruning),
        stat(t.shuffledWeights),
        stat(t.randomInit),
      ].join(' | '),
    );
  console.log('\nTable 2: sparsity | relative per task | average');
  for (const row of rep.pretrainingTransfer)
    console.log(
      `${pct(row.sparsity)} | ${row.cells.map((c) => `${c.target.name} ${f3(c.relativeScore)}`).join(', ')} | ${f3(row.averageRelative)}`,
    );
  console.log('\nTable 5: sparsity | task | standard | adversarial');
  for (const a of rep.adversarial)
    console.log(`${pct(a.sparsity)} | ${a.task.name} | ${stat(a.standard)} | ${stat(a.adversarial)}`);
  console.log('\nFindings:');
  for (const f of rep.findings)
    console.log(`${f.key}: ${f.holds === null ? 'undecided' : f.holds ? 'holds' : 'does not hold'} — ${f.evidence}`);
  const dir = path.join(home, 'studies');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startStudy.id}.json`);
  writeFileSync(file, JSON.stringify(r.study, null, 2) + '\n');
  console.log(`\nreport written to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
