/**
 * Everything the server answers outside /graphql and /export: the dashboard at `/` and the
 * GraphQL explorer at `/graphiql`, served from the assets `scripts/build-dashboard.js` bundles
 * into <dist>/dashboard (no CDN, nothing fetched from another host: the CSP below forbids it).
 */
import express, { type Application, type Response } from 'express';
import * as fs from 'fs';
import * as path from 'path';

/** <dist>/dashboard beside <dist>/src/dashboard/mount.js, whichever dist this file was built into. */
export const DASHBOARD_DIR = path.resolve(__dirname, '..', '..', 'dashboard');

// Scripts and styles from this origin only; WebSocket to this server for subscriptions;
// inline styles for GraphiQL's editor; data: for the favicon and GraphiQL's inlined icons.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function secure(res: Response): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
}

function notBuilt(res: Response): void {
  res
    .status(503)
    .type('text')
    .send(
      `dashboard assets missing in ${DASHBOARD_DIR}: run \`npm run build\` (or \`node scripts/build-dashboard.js\`)\n`,
    );
}

function page(file: string) {
  return (_req: unknown, res: Response) => {
    const p = path.join(DASHBOARD_DIR, file);
    if (!fs.existsSync(p)) return notBuilt(res);
    secure(res);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(p);
  };
}

export function mountDashboard(app: Application): void {
  app.get('/', page('index.html'));
  app.get('/graphiql', page('graphiql.html'));
  app.use(
    express.static(DASHBOARD_DIR, {
      index: false,
      // Pages are re-validated each load; bundles are small enough that no fingerprinting is needed.
      setHeaders: (res) => {
        secure(res);
        res.setHeader('cache-control', 'no-cache');
      },
    }),
  );
}
