import { BadInputError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** For ids used as filters: a malformed one is a client error (a lookup by id says NOT_FOUND instead). */
export function filterId(name: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isUuid(value)) throw new BadInputError(`${name} ${JSON.stringify(value)} is not a valid id`);
  return value;
}
