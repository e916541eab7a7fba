// The web UI: four static files from web/, no build step, nothing loaded from the network. The files
// hold no data (every API call the page makes carries the token), so they are served before the bearer
// check: a browser cannot send an Authorization header when it opens a page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROJECT_ROOT } from '../../screener/ticker-source.ts';

/** The UI's routes and the files they answer with. */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/web/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/web/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/web/sessions.js': { file: 'sessions.js', type: 'text/javascript; charset=utf-8' },
};

/** Nothing but the page's own files and its own API: no CDN, no inline script. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Registers GET /, /web/app.js, /web/sessions.js and /web/app.css. Call it before the bearer hook is added: its own
 * onRequest hook answers these routes (matched by the router, as the bearer check matches) first.
 */
export function registerWebRoutes(app: FastifyInstance, dir = join(PROJECT_ROOT, 'web')): void {
  const cache = new Map<string, Buffer>();
  const send = (route: string, reply: FastifyReply): FastifyReply => {
    const entry = FILES[route];
    if (entry === undefined) throw new Error(`no UI file for ${route}`);
    let body = cache.get(entry.file);
    if (body === undefined) {
      body = readFileSync(join(dir, entry.file));
      cache.set(entry.file, body);
    }
    return reply
      .type(entry.type)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
  const isUi = (request: FastifyRequest): string | undefined => {
    const route = request.routeOptions.url;
    return route !== undefined && Object.hasOwn(FILES, route) && request.method === 'GET' ? route : undefined;
  };
  app.addHook('onRequest', (request, reply, done) => {
    const route = isUi(request);
    if (route === undefined) return done();
    send(route, reply);
  });
  for (const route of Object.keys(FILES)) app.get(route, (_request, reply) => send(route, reply));
}
