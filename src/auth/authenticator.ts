/**
 * Turns a request's credentials into a Caller: `Authorization: Bearer <token>` over HTTP, and
 * `{ authorization: "Bearer <token>" }` or `{ token: "<token>" }` in graphql-ws's connection_init
 * payload. With auth off every caller is LOCAL_CALLER and credentials are not read.
 */
import { UnauthenticatedError } from '../kit/errors';
import { LOCAL_CALLER, type Caller } from './guard';
import type { TokenService } from './token.service';

export const NO_TOKEN =
  'authentication required: send `Authorization: Bearer <token>` (tokens: `ticketlab token create`)';

/** The token of an `Authorization` value; throws on any other scheme or shape. */
export function bearerToken(header: string): string {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  if (!m) throw new UnauthenticatedError('the Authorization header must be `Bearer <token>`');
  return m[1];
}

export class Authenticator {
  constructor(
    readonly mode: 'required' | 'off',
    private readonly tokens: TokenService,
  ) {}

  get required(): boolean {
    return this.mode === 'required';
  }

  /** The caller of a token; UnauthenticatedError when it is missing, unknown or revoked. */
  async fromToken(token: string | null): Promise<Caller> {
    if (!this.required) return LOCAL_CALLER;
    if (token === null) throw new UnauthenticatedError(NO_TOKEN);
    const found = await this.tokens.verify(token);
    if (!found) throw new UnauthenticatedError('invalid or revoked token');
    return { tokenId: found.id, name: found.name, scope: found.scope };
  }

  /** HTTP: the Authorization header (absent = no token). */
  async fromHeader(header: string | undefined): Promise<Caller> {
    if (!this.required) return LOCAL_CALLER;
    return this.fromToken(header === undefined || header.trim() === '' ? null : bearerToken(header));
  }

  /** The token in a connection_init payload: `authorization` ("Bearer …") or `token`. */
  static tokenOfParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
    const auth = params?.authorization ?? params?.Authorization;
    if (typeof auth === 'string' && auth.trim() !== '') return bearerToken(auth);
    const token = params?.token;
    if (typeof token === 'string' && token.trim() !== '') return token.trim();
    return null;
  }
}
