/**
 * What the scripts that drive a running server share: their flags, the server's URL (--url, else
 * $TICKETLAB_HOME/runtime.json, else the default port) and GraphQL over HTTP with the token of
 * TICKETLAB_TOKEN when the server needs one.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export const home = path.resolve(process.env.TICKETLAB_HOME || '.ticketlab');

export const url =
  flag('url') ??
  (existsSync(path.join(home, 'runtime.json'))
    ? (JSON.parse(readFileSync(path.join(home, 'runtime.json'), 'utf8')) as { graphqlUrl: string }).graphqlUrl
    : 'http://127.0.0.1:4000/graphql');

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (process.env.TICKETLAB_TOKEN) headers.authorization = `Bearer ${process.env.TICKETLAB_TOKEN}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}
