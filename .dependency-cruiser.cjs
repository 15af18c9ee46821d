/**
 * The layering of DESIGN §5, as rules `npm test` enforces (npm run lint:layers). From the bottom:
 *   core  →  kit, db, events  →  lifecycle, artifacts  →  jobs  →  concepts  →  cli  →  app  →  main.ts
 * Each layer imports only layers below it. The concepts (model task ticket evaluation run analysis
 * auth import export system dashboard) may import each other: the entity relations
 * ticket ↔ evaluation ↔ run are natural and stay.
 */
const CONCEPTS = '(model|task|ticket|evaluation|run|study|analysis|auth|import|export|system|dashboard)';
const API_PACKAGES = 'node_modules/(type-graphql|@apollo|graphql-ws|@as-integrations|express|graphql)/';

/** A rule: files under `from` may not import what matches `to`. */
const never = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    never('core-imports-nothing-above', 'src/core is pure compute: it imports nothing else of src/.', '^src/core/', '^src/(?!core/)'),
    never('core-no-database-or-api', 'src/core loads no GraphQL, TypeORM or pg.', '^src/core/', 'node_modules/(typeorm|pg|pg-boss|type-graphql|graphql|@apollo)/'),
    never('kit-imports-no-concept', 'src/kit is shared below every concept and imports none.', '^src/kit/', '^src/(?!kit/|config\\.ts)'),
    never('db-below-concepts', 'src/db (embedded PostgreSQL, column helpers) imports only kit and config.', '^src/db/', '^src/(?!db/|kit/|config\\.ts)'),
    never('events-below-lifecycle', 'src/events is the bus; it knows no run and no concept.', '^src/events/', '^src/(?!events/|kit/)'),
    never('lifecycle-below-jobs-and-api', 'The run lifecycle is used by the API and the workers; it imports neither.', '^src/lifecycle/', '^src/(?!lifecycle/|events/|kit/)'),
    never('artifacts-below-jobs-and-api', 'The artifact store imports only kit and core.', '^src/artifacts/', '^src/(?!artifacts/|kit/|core/)'),
    never('jobs-import-nothing-of-the-api', 'Workers know nothing of GraphQL or of the API concepts.', '^src/jobs/', `^src/(${CONCEPTS}|app|cli)/`),
    never('jobs-load-no-api-package', 'Workers load no GraphQL or HTTP server package.', '^src/jobs/', API_PACKAGES),
    never('concepts-below-cli-and-app', 'A concept does not import the CLI or the composition root.', `^src/${CONCEPTS}/`, '^src/(cli|app)/'),
    never('only-main-imports-app', 'The composition root src/app is imported by src/main.ts only.', '^src/(?!app/|main\\.ts)', '^src/app/'),
    {
      name: 'no-module-cycles-outside-entities',
      comment: 'No import cycle between modules, except through the TypeORM entity relations.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { pathNot: '\\.entity\\.ts$' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
