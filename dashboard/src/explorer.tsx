/**
 * The GraphQL explorer at /graphiql: GraphiQL bundled into the package (no CDN), talking to
 * /graphql over HTTP and, for subscriptions, graphql-ws on the same path. The dashboard's token
 * (localStorage) is sent unless the header editor sets its own Authorization.
 */
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { getOperationAST, parse } from 'graphql';
import type { ComponentProps } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient, type ExecutionResult } from 'graphql-ws';
import { authHeaders, getToken } from './api';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const ws = createClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
  lazy: true,
  connectionParams: () => (getToken() ? { authorization: `Bearer ${getToken()}` } : {}),
});

function isSubscription(query: string, operationName?: string | null): boolean {
  try {
    return getOperationAST(parse(query), operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false; // let the server report the syntax error
  }
}

const fetcher: Fetcher = async (params, opts) => {
  if (isSubscription(params.query, params.operationName)) {
    return ws.iterate({ query: params.query, variables: params.variables ?? undefined, operationName: params.operationName ?? undefined }) as AsyncIterable<ExecutionResult>;
  }
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authHeaders(), ...(opts?.headers ?? {}) },
    body: JSON.stringify(params),
  });
  return res.json();
};

const DEFAULT_QUERY = `# ticketlab API: press ▶ (or Ctrl-Enter) to run; the Docs button lists every type and field.
{
  health
  compute { backend gpu device }
  tasks { id name kind metric }
}
`;

createRoot(document.getElementById('graphiql')!).render(<GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />);
