import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheap tickets: EARLY_BIRD joins the ticket methods, and every ticket records what finding it
 * cost — the training steps spent before its mask was fixed and their wall seconds — plus, for
 * rule-stopped searches, how the search ended; IMP tickets record how their levels retrained
 * (learning-rate rewinding). Tickets stored before this have NULL (not recorded).
 */
export class SearchCost1765100000000 implements MigrationInterface {
  name = 'SearchCost1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket DROP CONSTRAINT IF EXISTS ticket_method_check`);
    await q.query(
      `ALTER TABLE ticket ADD CONSTRAINT ticket_method_check CHECK (method IN ('IMP','ONE_SHOT','RANDOM','EARLY_BIRD'))`,
    );
    await q.query(`ALTER TABLE ticket ADD COLUMN search_steps integer CHECK (search_steps >= 0)`);
    await q.query(`ALTER TABLE ticket ADD COLUMN search_seconds double precision CHECK (search_seconds >= 0)`);
    await q.query(`ALTER TABLE ticket ADD COLUMN search jsonb`);
    await q.query(
      `ALTER TABLE ticket ADD COLUMN retraining text CHECK (retraining IN ('REWIND_WEIGHTS','REWIND_LR','FINE_TUNE'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket DROP COLUMN retraining`);
    await q.query(`ALTER TABLE ticket DROP COLUMN search`);
    await q.query(`ALTER TABLE ticket DROP COLUMN search_seconds`);
    await q.query(`ALTER TABLE ticket DROP COLUMN search_steps`);
    await q.query(`ALTER TABLE ticket DROP CONSTRAINT IF EXISTS ticket_method_check`);
    await q.query(`ALTER TABLE ticket ADD CONSTRAINT ticket_method_check CHECK (method IN ('IMP','ONE_SHOT','RANDOM'))`);
  }
}
