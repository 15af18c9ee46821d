/**
 * Run as a separate process: publishes one run event on a database, exactly as a worker will.
 * Usage: node dist/test/helpers/publish-event.js <databaseUrl> <json RunEventPayload>
 */
import { publishRunEvent, type RunEventPayload } from '../../src/lifecycle/run-events';

const [databaseUrl, json] = process.argv.slice(2);
publishRunEvent(databaseUrl, JSON.parse(json) as RunEventPayload).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
