/**
 * Relay-style connections (DESIGN §7): `edges { cursor node }`, `pageInfo`, `totalCount`,
 * `first` ≤ 100, newest first. The cursor is an opaque base64url of the (createdAt, id) keyset,
 * so pages stay stable while rows are being added.
 */
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadInputError } from './errors';
import { isUuid } from './ids';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

@ObjectType({ description: 'Where a page sits in a connection.' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page (ask again with `after: endCursor`).' })
  hasNextPage!: boolean;

  @Field({ description: 'True when this page was requested with `after`.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page.' })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item of the page; pass it as `after` for the next page.',
  })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size: ${DEFAULT_PAGE} when omitted, at most ${MAX_PAGE}.` })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Return the items after this cursor (a previous page's `pageInfo.endCursor`).",
  })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Declares `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function connectionType<T extends object>(
  name: string,
  node: ClassType<T>,
  what: string,
): ClassType<Connection<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${what} in a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this item; pass as `after` to continue after it.' })
    cursor!: string;

    @Field(() => node, { description: `The ${what}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what}s, newest first.` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items of this page.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Cursors and whether more pages follow.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of items matching the filter, over all pages.' })
    totalCount!: number;
  }
  return ConnectionType;
}

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(String(at));
    // Within what timestamptz stores and what this API writes (years 1..9999): a date out of
    // PostgreSQL's range would fail the query instead of answering BAD_USER_INPUT.
    const year = createdAt.getUTCFullYear();
    if (
      typeof at === 'string' &&
      !Number.isNaN(createdAt.getTime()) &&
      year >= 1 &&
      year <= 9999 &&
      typeof id === 'string' &&
      isUuid(id)
    ) {
      return { createdAt, id };
    }
  } catch {
    // fall through
  }
  throw new BadInputError('`after` is not a cursor returned by this API');
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw new BadInputError(`\`first\` must be between 0 and ${MAX_PAGE}, got ${first}`);
  }
  return first;
}

/**
 * Runs a filtered query builder as one page. `alias` is the query's root alias; the entity
 * must have `id` and `createdAt` (columns id, created_at).
 */
export async function paginate<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  args: PageArgs,
): Promise<Connection<T>> {
  const limit = pageSize(args.first);
  const after = args.after ? decodeCursor(args.after) : null;
  const totalCount = await qb.clone().getCount();
  const page = qb.clone();
  if (after) {
    page.andWhere(`(${alias}.created_at, ${alias}.id) < (:afterAt, :afterId)`, {
      afterAt: after.createdAt,
      afterId: after.id,
    });
  }
  const rows =
    limit === 0
      ? []
      : await page
          .orderBy(`${alias}.created_at`, 'DESC')
          .addOrderBy(`${alias}.id`, 'DESC')
          .limit(limit + 1)
          .getMany();
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.createdAt, node.id), node }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
