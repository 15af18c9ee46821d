/** `GET /` until the dashboard exists: a static page, no scripts, nothing fetched from a CDN. */
export function landingPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ticketlab</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>ticketlab</h1>
<p>Lottery-ticket experiments on vision-and-language transformers.</p>
<p>The GraphQL API is at <a href="/graphql"><code>/graphql</code></a>: <code>POST</code> (or <code>GET</code>)
GraphQL over HTTP, and WebSocket subscriptions (<code>graphql-transport-ws</code>) on the same path.
Try: <code>curl -s -H 'content-type: application/json' -d '{"query":"{ health compute { backend gpu } }"}' http://HOST:PORT/graphql</code></p>
<p>The schema is in <code>schema/schema.graphql</code> of the repository.</p>
</body></html>
`;
}
