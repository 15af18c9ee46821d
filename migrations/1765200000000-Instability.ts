import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instability analysis (linear mode connectivity): an INSTABILITY run stores one row per rewind
 * step — the 11 interpolation points' scores between two copies trained from θ_r, and the error
 * barrier — in the same transaction as nothing else, so a resumed run skips the stored steps.
 */
export class Instability1765200000000 implements MigrationInterface {
  name = 'Instability1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE run DROP CONSTRAINT IF EXISTS run_kind_check`);
    await q.query(
      `ALTER TABLE run ADD CONSTRAINT run_kind_check CHECK (kind IN ('PRETRAIN','PRUNE','EVALUATE','TRANSFER','INSTABILITY'))`,
    );
    await q.query(`
      CREATE TABLE instability (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES run (id) ON DELETE CASCADE,
        model_id uuid NOT NULL REFERENCES model (id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        ticket_id uuid REFERENCES ticket (id) ON DELETE CASCADE,
        rewind_step integer NOT NULL CHECK (rewind_step >= 0),
        steps integer NOT NULL CHECK (steps > 0),
        seeds integer[] NOT NULL,
        alphas double precision[] NOT NULL,
        scores double precision[] NOT NULL CHECK (cardinality(scores) = cardinality(alphas)),
        barrier double precision NOT NULL,
        lower_is_better boolean NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (run_id, rewind_step)
      )`);
    await q.query(`CREATE INDEX instability_lookup_idx ON instability (model_id, task_id, ticket_id, rewind_step)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE instability`);
    await q.query(`ALTER TABLE run DROP CONSTRAINT IF EXISTS run_kind_check`);
    await q.query(`ALTER TABLE run ADD CONSTRAINT run_kind_check CHECK (kind IN ('PRETRAIN','PRUNE','EVALUATE','TRANSFER'))`);
  }
}
