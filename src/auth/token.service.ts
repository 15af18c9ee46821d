/**
 * API tokens: created at random, shown once, stored as SHA-256 only; looked up by that hash on
 * every request (no cache, so a revocation takes effect at the next request).
 */
import { createHash, randomBytes } from 'crypto';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { BadInputError, ConflictError, NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import { ApiToken } from './api-token.entity';
import { isScope, SCOPES, type Scope } from './scopes';

/** A recognisable prefix (secret scanners, logs) + 32 random bytes. */
export const TOKEN_PREFIX = 'tl_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Who a valid token belongs to. */
export interface TokenIdentity {
  id: string;
  name: string;
  scope: Scope;
}

/** last_used_at is written at most this often per token: a read-heavy notebook is not a write load. */
const LAST_USED_EVERY_MS = 60_000;

export class TokenService {
  private readonly repo: Repository<ApiToken>;
  private readonly lastUsedWrite = new Map<string, number>();

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(ApiToken);
  }

  /** Stores a new token; the returned `token` is the only time it exists in clear. */
  async create(name: string, scope: string): Promise<{ token: string; row: ApiToken }> {
    const n = name.trim();
    if (n.length < 1 || n.length > 100) throw new BadInputError('a token name has 1 to 100 characters');
    if (!isScope(scope))
      throw new BadInputError(`scope must be one of ${SCOPES.join(', ')}, not ${JSON.stringify(scope)}`);
    if (await this.repo.exists({ where: { name: n, revokedAt: IsNull() } })) {
      throw new ConflictError(`a token named ${JSON.stringify(n)} exists; revoke it first or choose another name`);
    }
    const token = newToken();
    try {
      const row = await this.repo.save(
        this.repo.create({ name: n, scope, tokenSha256: hashToken(token), revokedAt: null, lastUsedAt: null }),
      );
      return { token, row };
    } catch (err) {
      // The same name created at the same moment by another process (api_token_active_name_uq).
      if ((err as { code?: string }).code === '23505')
        throw new ConflictError(`a token named ${JSON.stringify(n)} exists`);
      throw err;
    }
  }

  /** All tokens, revoked ones included, oldest first. */
  list(): Promise<ApiToken[]> {
    return this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Revokes the token with this id, or the active token with this name. */
  async revoke(idOrName: string): Promise<{ row: ApiToken; already: boolean }> {
    const row = isUuid(idOrName)
      ? await this.repo.findOneBy({ id: idOrName })
      : await this.repo.findOne({ where: { name: idOrName.trim(), revokedAt: IsNull() } });
    if (!row) throw new NotFoundError('active token', idOrName);
    if (row.revokedAt) return { row, already: true };
    const updated = (await this.ds.query(
      `UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at`,
      [row.id],
    )) as Array<{ revoked_at: Date }>;
    row.revokedAt = updated[0]?.revoked_at ?? row.revokedAt;
    return { row, already: updated.length === 0 };
  }

  /** The identity of a token not revoked, or null. */
  async verify(token: string): Promise<TokenIdentity | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const rows = (await this.ds.query(
      `SELECT id, name, scope FROM api_token WHERE token_sha256 = $1 AND revoked_at IS NULL`,
      [hashToken(token)],
    )) as TokenIdentity[];
    const found = rows[0];
    if (!found) return null;
    this.touch(found.id);
    return found;
  }

  /** Of these token ids, those still active (one query for all open WebSockets). */
  async active(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.ds.query(`SELECT id FROM api_token WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, [
      ids,
    ])) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWrite.get(id) ?? 0) < LAST_USED_EVERY_MS) return;
    this.lastUsedWrite.set(id, now);
    // Best effort: a failed bookkeeping write must not fail the request it belongs to.
    this.ds.query(`UPDATE api_token SET last_used_at = now() WHERE id = $1`, [id]).catch(() => undefined);
  }
}
