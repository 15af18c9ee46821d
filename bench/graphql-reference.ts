/**
 * Reference for the GraphQL row of `npm run bench`: a bare Apollo Server (standalone HTTP, no
 * database, no Express) answering the same query shape as ticketlab's
 * `tickets(first: 100) { … evaluations { … } }` from static data: 100 tickets with two
 * evaluations each. Run as a child process: `node graphql-reference.js PORT`; prints
 * "listening <url>" once it accepts requests.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const typeDefs = `#graphql
  type Evaluation { id: ID! weightInit: String! trainingMode: String! seed: Int! steps: Int! score: Float! createdAt: String! }
  type Ticket {
    id: ID! method: String! sparsity: Float! level: Int! seed: Int maskBits: Int! maskSha256: String! createdAt: String!
    evaluations: [Evaluation!]!
  }
  type TicketEdge { cursor: String! node: Ticket! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type TicketConnection { edges: [TicketEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type Query { tickets(first: Int, after: String): TicketConnection! }
`;

const hex = (i: number, n: number): string => i.toString(16).padStart(n, '0');
const uuid = (i: number): string => `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`;
const at = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

const edges = Array.from({ length: 100 }, (_, i) => ({
  cursor: Buffer.from(`${at(i)}|${uuid(i)}`).toString('base64'),
  node: {
    id: uuid(i),
    method: 'IMP',
    sparsity: (i % 10) / 10,
    level: i % 10,
    seed: 1,
    maskBits: 4096,
    maskSha256: hex(i, 64),
    createdAt: at(i),
    evaluations: ['PRETRAINED', 'RANDOM'].map((w, k) => ({
      id: uuid(100000 + 2 * i + k),
      weightInit: w,
      trainingMode: 'STANDARD',
      seed: 1,
      steps: 300,
      score: 0.5 + k / 10,
      createdAt: at(i),
    })),
  },
}));
const page = { edges, pageInfo: { hasNextPage: true, endCursor: edges[edges.length - 1].cursor }, totalCount: 10000 };

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const server = new ApolloServer({ typeDefs, resolvers: { Query: { tickets: () => page } } });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  console.log(`listening ${url}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
