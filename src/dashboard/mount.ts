/** Everything the server answers outside /graphql and /export: `GET /` and its assets. */
import type { Application } from 'express';
import { landingPage } from '../graphql/landing';

export function mountDashboard(app: Application): void {
  app.get('/', (_req, res) => {
    res.type('html').send(landingPage());
  });
}
