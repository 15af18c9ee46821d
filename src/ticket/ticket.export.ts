/**
 * HTTP export routes of tickets (DESIGN §7). The mask download is not built yet: the route
 * exists so Ticket.maskUrl is stable, and answers 501 with a JSON explanation.
 */
import type { Express } from 'express';

export function mountExportRoutes(app: Express): void {
  app.get('/export/tickets/:id/mask.safetensors', (req, res) => {
    res.status(501).json({
      error: 'NOT_IMPLEMENTED',
      message: `mask export is not implemented yet (ticket ${req.params.id}); the mask is stored bit-packed in the database`,
    });
  });
}
