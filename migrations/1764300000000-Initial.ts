import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First schema: the six stored entities of DESIGN §2. Enumerations are text columns with CHECK
 * constraints (adding a value later is a one-line migration, unlike a PostgreSQL enum type).
 * Timestamps are timestamptz(3) so keyset cursors round-trip through JS Dates exactly.
 * Needs PostgreSQL 13+ (gen_random_uuid() is built in).
 */
export class Initial1764300000000 implements MigrationInterface {
  name = 'Initial1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('PRETRAIN','PRUNE','EVALUATE','TRANSFER')),
        status text NOT NULL DEFAULT 'QUEUED'
          CHECK (status IN ('QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED')),
        params jsonb NOT NULL DEFAULT '{}',
        params_hash text NOT NULL,
        progress double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        step integer NOT NULL DEFAULT 0,
        total_steps integer,
        phase text,
        error text,
        parent_id uuid REFERENCES run(id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3),
        heartbeat_at timestamptz(3)
      )`);
    // Identical-request lookup (DESIGN §3 "Identity"): not unique, a failed run may be retried.
    await q.query(`CREATE INDEX run_params_hash_idx ON run (params_hash, status)`);
    await q.query(`CREATE INDEX run_parent_idx ON run (parent_id)`);
    await q.query(`CREATE INDEX run_keyset_idx ON run (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX run_status_idx ON run (status) WHERE status IN ('QUEUED','RUNNING')`);

    await q.query(`
      CREATE TABLE model (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        config jsonb NOT NULL,
        parameter_count bigint NOT NULL CHECK (parameter_count >= 0),
        prunable_parameter_count bigint NOT NULL CHECK (prunable_parameter_count >= 0),
        weights_sha256 text,
        source text NOT NULL CHECK (source IN ('BUILTIN','PRETRAINED_BY_RUN','IMPORTED')),
        run_id uuid REFERENCES run(id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        kind text NOT NULL
          CHECK (kind IN ('VQA','GQA','VCR','SNLI_VE','REFCOCO','RETRIEVAL','NLVR2','PRETRAIN')),
        metric text NOT NULL,
        built_in boolean NOT NULL DEFAULT false,
        train_size integer NOT NULL CHECK (train_size >= 0),
        val_size integer NOT NULL CHECK (val_size >= 0),
        test_size integer NOT NULL CHECK (test_size >= 0),
        params jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX task_builtin_kind_idx ON task (kind) WHERE built_in`);

    await q.query(`
      CREATE TABLE ticket (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        task_id uuid REFERENCES task(id) ON DELETE SET NULL,
        method text NOT NULL CHECK (method IN ('IMP','ONE_SHOT','RANDOM')),
        sparsity double precision NOT NULL CHECK (sparsity >= 0 AND sparsity <= 1),
        level integer NOT NULL DEFAULT 0 CHECK (level >= 0),
        parent_id uuid REFERENCES ticket(id) ON DELETE SET NULL,
        run_id uuid REFERENCES run(id) ON DELETE SET NULL,
        seed integer,
        layer_sparsity jsonb NOT NULL DEFAULT '[]',
        mask bytea NOT NULL,
        mask_bits bigint NOT NULL CHECK (mask_bits >= 0),
        mask_sha256 text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT ticket_mask_length CHECK (octet_length(mask) = (mask_bits + 7) / 8)
      )`);
    await q.query(`CREATE INDEX ticket_model_task_idx ON ticket (model_id, task_id, method, sparsity)`);
    await q.query(`CREATE INDEX ticket_run_idx ON ticket (run_id)`);
    await q.query(`CREATE INDEX ticket_keyset_idx ON ticket (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE evaluation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        ticket_id uuid REFERENCES ticket(id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES task(id) ON DELETE CASCADE,
        run_id uuid REFERENCES run(id) ON DELETE SET NULL,
        weight_init text NOT NULL CHECK (weight_init IN ('PRETRAINED','SHUFFLED','RANDOM')),
        training_mode text NOT NULL CHECK (training_mode IN ('STANDARD','ADVERSARIAL')),
        seed integer NOT NULL,
        steps integer NOT NULL CHECK (steps >= 0),
        metrics jsonb NOT NULL DEFAULT '{}',
        score double precision NOT NULL,
        relative_score double precision,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX evaluation_lookup_idx ON evaluation (model_id, task_id, training_mode, steps)`);
    await q.query(`CREATE INDEX evaluation_ticket_idx ON evaluation (ticket_id)`);
    await q.query(`CREATE INDEX evaluation_run_idx ON evaluation (run_id)`);
    await q.query(`CREATE INDEX evaluation_keyset_idx ON evaluation (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE metric_point (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        step integer NOT NULL,
        name text NOT NULL,
        value double precision NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX metric_point_series_idx ON metric_point (run_id, name, step)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['metric_point', 'evaluation', 'ticket', 'task', 'model', 'run']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
