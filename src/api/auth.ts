// The API's bearer-token check: every route but the open ones needs the token, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { TradeflowError } from '../core/errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The routes anyone may call: everything else needs the token. */
export const OPEN_ROUTES: readonly string[] = ['/healthz'];

/**
 * Returns an onRequest hook that refuses a call without `Authorization: Bearer <token>` (HTTP 401) on
 * every route but OPEN_ROUTES, and on unknown paths too. It decides by the route the router matched, not
 * by the raw URL, so that an encoded path (`/%61pi/...`, which the router decodes) cannot slip past.
 * Digests are compared in constant time, so the answer's timing does not reveal how much of a guess matched.
 */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return (request: FastifyRequest): Promise<void> => {
    const route = request.routeOptions.url;
    if (route !== undefined && OPEN_ROUTES.includes(route)) return Promise.resolve();
    const header = request.headers.authorization;
    const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m?.[1] !== undefined && timingSafeEqual(digest(m[1]), expected)) return Promise.resolve();
    const why = header === undefined ? 'no Authorization header' : 'the token does not match';
    return Promise.reject(
      new TradeflowError('TF_ERR_UNAUTHORIZED', `${request.method} ${request.url.split('?')[0]}: ${why}`),
    );
  };
}
