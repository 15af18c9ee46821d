/**
 * Early-Bird against IMP on every built-in downstream task, through the API of a running server:
 * starts (or finds again) one EARLY_BIRD run per task at the given sparsities with the default
 * search settings, waits for them, and prints per task and sparsity the ticket's relative score,
 * the steps its search spent, and IMP's relative score at the same sparsity with the steps IMP
 * spent to reach it (k levels × stepsPerLevel) — from IMP runs already stored (a PAPER study's).
 * IMP tickets stored before search costs were recorded cost their level × the steps of their
 * evaluations (IMP evaluates each level at stepsPerLevel), which is what searchSteps records now.
 *   npm run cheap-tickets -- [--model mini-uniter] [--sparsities 0.6,0.7,0.8] [--tolerance 0.1]
 *                            [--window 5] [--url …]
 */
import { flag, gql } from './api-client';

interface Ticket {
  sparsity: number;
  searchSteps: number;
  earlyBird: { converged: boolean; stoppedAtStep: number; budget: number } | null;
  evaluations: Array<{ score: number; relativeScore: number | null; steps: number }>;
}

async function main(): Promise<void> {
  const modelName = flag('model') ?? 'mini-uniter';
  const sparsities = (flag('sparsities') ?? '0.6,0.7,0.8').split(',').map(Number);
  const { models, tasks } = await gql<{
    models: Array<{ id: string; name: string }>;
    tasks: Array<{ id: string; name: string; kind: string; builtIn: boolean }>;
  }>('{ models { id name } tasks { id name kind builtIn } }');
  const model = models.find((m) => m.name === modelName || m.id === modelName);
  if (!model) throw new Error(`no model ${modelName}`);
  const down = tasks.filter((t) => t.builtIn && t.kind !== 'PRETRAIN');
  const runs = new Map<string, string>();
  const started = Date.now();
  for (const t of down) {
    const r = await gql<{ startPruning: { id: string } }>(
      'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
      {
        i: {
          modelId: model.id,
          taskId: t.id,
          method: 'EARLY_BIRD',
          sparsities,
          ...(flag('tolerance') || flag('window')
            ? {
                earlyBird: {
                  ...(flag('tolerance') ? { tolerance: Number(flag('tolerance')) } : {}),
                  ...(flag('window') ? { window: Number(flag('window')) } : {}),
                },
              }
            : {}),
        },
      },
    );
    runs.set(t.id, r.startPruning.id);
  }
  for (;;) {
    const st = await Promise.all(
      [...runs.values()].map((id) =>
        gql<{ run: { status: string; error: string | null } }>('query($id: ID!) { run(id: $id) { status error } }', {
          id,
        }),
      ),
    );
    const bad = st.find((s) => s.run.status === 'FAILED' || s.run.status === 'CANCELLED');
    if (bad) throw new Error(`an EARLY_BIRD run ended ${bad.run.status}: ${bad.run.error}`);
    if (st.every((s) => s.run.status === 'SUCCEEDED')) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`${down.length} EARLY_BIRD runs done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  console.log(
    '| task | sparsity | EARLY_BIRD relative | its search steps (stopped / budget) | IMP relative | IMP steps to reach it | steps ratio |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const t of down) {
    const { tickets } = await gql<{ tickets: { edges: Array<{ node: Ticket }> } }>(
      `query($f: TicketFilter) { tickets(filter: $f) { edges { node { sparsity searchSteps earlyBird { converged stoppedAtStep budget }
         evaluations { score relativeScore steps } } } } }`,
      { f: { runId: runs.get(t.id) } },
    );
    const imp = await gql<{ c: Array<{ sparsity: number; relativeScore: number | null; dense: boolean }> }>(
      'query($m: ID!, $t: ID!) { c: sparsityCurve(modelId: $m, taskId: $t, method: IMP) { sparsity relativeScore dense } }',
      { m: model.id, t: t.id },
    );
    const impTickets = await gql<{
      tickets: {
        edges: Array<{
          node: { sparsity: number; level: number; searchSteps: number | null; evaluations: Array<{ steps: number }> };
        }>;
      };
    }>(
      'query($f: TicketFilter) { tickets(filter: $f, first: 100) { edges { node { sparsity level searchSteps evaluations { steps } } } } }',
      { f: { modelId: model.id, taskId: t.id, method: 'IMP' } },
    );
    const impCost = (sparsity: number): number | null => {
      const x = impTickets.tickets.edges.map((e) => e.node).find((n) => Math.abs(n.sparsity - sparsity) < 1e-3);
      if (!x) return null;
      return x.searchSteps ?? (x.evaluations[0] ? x.level * x.evaluations[0].steps : null);
    };
    for (const k of tickets.edges.map((e) => e.node).sort((a, b) => a.sparsity - b.sparsity)) {
      const p = imp.c.find((x) => !x.dense && Math.abs(x.sparsity - k.sparsity) < 1e-3);
      const rel = k.evaluations[0]?.relativeScore;
      const eb = k.earlyBird!;
      const cost = impCost(k.sparsity);
      const ratio = cost ? (k.searchSteps / cost).toFixed(3) : '–';
      console.log(
        `| ${t.name.replace('synthetic-', '')} | ${Math.round(k.sparsity * 100)}% | ${rel?.toFixed(3) ?? '–'} | ${eb.stoppedAtStep} / ${eb.budget}${eb.converged ? '' : ' (not converged)'} | ${p?.relativeScore?.toFixed(3) ?? '–'} | ${cost ?? '–'} | ${ratio} |`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
