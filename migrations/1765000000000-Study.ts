import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Studies (issue "studies"): a study is a stored plan of runs. Its steps are written in the same
 * transaction as the study row (all or none); a step gets its run when its dependencies have
 * succeeded. The run's provenance (code version, backend, device, kernels, worker) is recorded
 * when a worker takes it up, so a study's numbers can be traced to what produced them.
 */
export class Study1765000000000 implements MigrationInterface {
  name = 'Study1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE study (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        status text NOT NULL DEFAULT 'QUEUED'
          CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        params jsonb NOT NULL,
        params_hash char(64) NOT NULL,
        progress double precision NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX study_hash_idx ON study (params_hash)`);
    await q.query(`CREATE INDEX study_created_idx ON study (created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE study_step (
        study_id uuid NOT NULL REFERENCES study(id) ON DELETE CASCADE,
        key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('PRUNE', 'EVALUATE')),
        role text NOT NULL,
        request jsonb NOT NULL,
        depends_on text[] NOT NULL DEFAULT '{}',
        run_id uuid REFERENCES run(id) ON DELETE SET NULL,
        reused boolean,
        resolved jsonb,
        launched_at timestamptz(3),
        PRIMARY KEY (study_id, key)
      )`);
    await q.query(`CREATE INDEX study_step_run_idx ON study_step (run_id)`);
    await q.query(`ALTER TABLE run ADD COLUMN provenance jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE run DROP COLUMN IF EXISTS provenance`);
    await q.query(`DROP TABLE IF EXISTS study_step`);
    await q.query(`DROP TABLE IF EXISTS study`);
  }
}
