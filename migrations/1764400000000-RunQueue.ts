import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job execution state. A run row is the truth about who works on it (the queue only delivers):
 * `claim_token` names the worker execution holding it, `attempts` counts claims. Checkpoints
 * hold what a resumed run needs that is not a result (IMP's next mask, the rewind weights).
 * Unique indexes make a retried or resumed step unable to store a ticket or evaluation twice.
 */
export class RunQueue1764400000000 implements MigrationInterface {
  name = 'RunQueue1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE run ADD COLUMN claim_token uuid, ADD COLUMN attempts integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX run_heartbeat_idx ON run (heartbeat_at) WHERE status = 'RUNNING'`);
    // One ticket per (run, level, sparsity): IMP has one per level, ONE_SHOT/RANDOM one per sparsity.
    await q.query(`CREATE UNIQUE INDEX ticket_run_level_uq ON ticket (run_id, level, sparsity) WHERE run_id IS NOT NULL`);
    // One evaluation per (run, mask or dense, task, setting, seed); NULL ticket = dense.
    await q.query(`
      CREATE UNIQUE INDEX evaluation_run_setting_uq ON evaluation
        (run_id, COALESCE(ticket_id, '00000000-0000-0000-0000-000000000000'::uuid), task_id, weight_init, training_mode, seed, steps)
        WHERE run_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE run_checkpoint (
        run_id uuid NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        name text NOT NULL,
        meta jsonb NOT NULL DEFAULT '{}',
        data bytea,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS run_checkpoint`);
    await q.query(`DROP INDEX IF EXISTS evaluation_run_setting_uq`);
    await q.query(`DROP INDEX IF EXISTS ticket_run_level_uq`);
    await q.query(`DROP INDEX IF EXISTS run_heartbeat_idx`);
    await q.query(`ALTER TABLE run DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS claim_token`);
  }
}
