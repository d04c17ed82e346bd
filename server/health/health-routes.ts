import { Router } from 'express';
import type { Connection } from 'mongoose';

export function healthRoutes(connection: Connection): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await Promise.race([
        connection.db!.admin().ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', error: { code: 'database_unavailable', message: 'The database does not answer.' } });
    }
  });
  return router;
}
