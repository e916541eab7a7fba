// The catalog routes: what can run (GET /api/strategies) and which tickers a screen can take
// (GET /api/tickers).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { backtestCatalog, screenerCatalog } from '../catalog.ts';

/** Registers GET /api/strategies (what can run, with config schemas) and GET /api/tickers. */
export function registerCatalogRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // Module imports are cached by Node anyway; the schemas are built once per app.
  let backtests: ReturnType<typeof backtestCatalog> | undefined;
  app.get('/api/strategies', async () => {
    backtests ??= backtestCatalog(ctx.root);
    const b = await backtests;
    return {
      screeners: screenerCatalog(ctx.screeners),
      backtest_types: b.types,
      backtest_modules: b.modules,
    };
  });

  app.get('/api/tickers', () => {
    const tickers = ctx.source.tickers();
    return { tickers, total: tickers.length };
  });
}
