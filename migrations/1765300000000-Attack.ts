import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The attack an evaluation was trained with ('' for STANDARD), so that ADVERSARIAL results of
 * two attack settings are never pooled. Evaluations stored before are labelled with the attack
 * that computed them: the first defaults (PGD 3 steps, ε 0.17 words / 2.8 regions, α = β = 1).
 */
export class Attack1765300000000 implements MigrationInterface {
  name = 'Attack1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE evaluation ADD COLUMN attack text NOT NULL DEFAULT ''`);
    await q.query(`UPDATE evaluation SET attack = 'pgd3 eps 0.17/2.8 alpha 1 beta 1' WHERE training_mode = 'ADVERSARIAL'`);
    await q.query(
      `ALTER TABLE evaluation ADD CONSTRAINT evaluation_attack_check CHECK ((training_mode = 'STANDARD') = (attack = ''))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE evaluation DROP CONSTRAINT evaluation_attack_check`);
    await q.query(`ALTER TABLE evaluation DROP COLUMN attack`);
  }
}
