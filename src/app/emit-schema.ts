/** `npm run schema`: writes schema/schema.graphql from the code (no database needed). */
import * as fs from 'fs';
import * as path from 'path';
import { schemaSDL } from './schema';

export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', '..', 'schema', 'schema.graphql');

if (require.main === module) {
  schemaSDL()
    .then((sdl) => {
      fs.writeFileSync(SCHEMA_FILE, sdl);
      console.log(`wrote ${SCHEMA_FILE}`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
