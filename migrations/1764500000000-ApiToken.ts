import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens (DESIGN §7): only the SHA-256 of a token is stored, so a leaked database does not
 * leak usable tokens. A name is unique among tokens not revoked (it is how people revoke them);
 * a revoked token's row stays, for the audit trail.
 */
export class ApiToken1764500000000 implements MigrationInterface {
  name = 'ApiToken1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        scope text NOT NULL CHECK (scope IN ('read', 'run', 'admin')),
        token_sha256 char(64) NOT NULL UNIQUE,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        revoked_at timestamptz(3),
        last_used_at timestamptz(3)
      )`);
    await q.query(`CREATE UNIQUE INDEX api_token_active_name_uq ON api_token (name) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS api_token`);
  }
}
