import { Router } from 'express';

export function healthRoutes(pingDatabase: () => Promise<void>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await pingDatabase();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', error: { code: 'database_unavailable', message: 'The database does not answer.' } });
    }
  });
  return router;
}
