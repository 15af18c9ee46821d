/**
 * The one check every GraphQL operation passes before it runs, over HTTP (an Apollo plugin) and
 * over WebSocket (graphql-ws onSubscribe): the caller's scope against the operation's root
 * fields, then the depth and cost limits.
 */
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { LimitsConfig } from '../config';
import { DomainError, ForbiddenError, type ErrorCode } from '../kit/errors';
import { measureOperation } from './limits';
import { covers, requiredScope } from './scopes';

import type { Caller } from '../kit/context';

export { LOCAL_CALLER, type Caller } from '../kit/context';

/** A request refused by a limit. */
export class LimitError extends DomainError {
  constructor(
    readonly code: Extract<
      ErrorCode,
      'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY' | 'PAYLOAD_TOO_LARGE' | 'TOO_MANY_SUBSCRIPTIONS'
    >,
    message: string,
  ) {
    super(message);
  }
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
};

export function httpStatus(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 400;
}

/**
 * The GraphQLError a client receives: the message and `extensions.code`, nothing else.
 * `forHttp` adds Apollo's `extensions.http` (the status; Apollo removes it before sending).
 */
export function toGraphQLError(err: DomainError, forHttp: boolean): GraphQLError {
  const extensions: Record<string, unknown> = { code: err.code };
  if (forHttp) extensions.http = { status: httpStatus(err.code) };
  return new GraphQLError(err.message, { originalError: err, extensions });
}

export interface OperationRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  caller: Caller;
}

/** Throws ForbiddenError or LimitError when the operation may not run. */
export function checkOperation(req: OperationRequest, limits: LimitsConfig): void {
  const need = requiredScope(req.document, req.operation);
  if (!covers(req.caller.scope, need.scope)) {
    const what = need.field ? `${req.operation.operation} ${need.field}` : `a ${req.operation.operation}`;
    throw new ForbiddenError(
      `${what} needs a token of scope ${need.scope}; token "${req.caller.name}" has scope ${req.caller.scope}`,
    );
  }
  const size = measureOperation(
    req.schema,
    req.document,
    req.operation,
    req.variables,
    limits.listSize,
    limits.dbFieldCost,
  );
  if (size.depth > limits.maxDepth) {
    throw new LimitError(
      'QUERY_TOO_DEEP',
      `the operation nests fields ${size.depth} deep; this server allows at most ${limits.maxDepth}`,
    );
  }
  if (size.truncated || size.cost > limits.maxCost) {
    const cost = size.truncated ? 'too many' : String(size.cost);
    throw new LimitError(
      'QUERY_TOO_COSTLY',
      `the operation would resolve ${cost} fields (lists count their \`first\`, else ${limits.listSize} items); this server allows at most ${limits.maxCost}: ask for smaller pages or fewer nested lists`,
    );
  }
}
