// How the API answers an error: the bad fields of a request, the HTTP status of each coded error, and
// the JSON error body.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, isTradeflowError, TradeflowError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

/** One bad field of a request: its path (`tickers[2]`, `config.data[0].file`) and what is wrong. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** A request that does not match its schema (HTTP 400), with each bad field. */
export class InvalidRequestError extends TradeflowError {
  readonly details: readonly FieldProblem[];

  constructor(details: readonly FieldProblem[]) {
    super('TF_ERR_REQUEST_INVALID', details.map((d) => `${d.path}: ${d.message}`).join('; '));
    this.details = details;
  }
}

/** The HTTP status of each coded error the API answers with; any other code is a 500. */
const HTTP_STATUS: Partial<Readonly<Record<ErrorCode, number>>> = {
  TF_ERR_REQUEST_INVALID: 400,
  TF_ERR_CONFIG_INVALID: 400,
  TF_ERR_STRATEGY_NOT_FOUND: 400,
  TF_ERR_STRATEGY_CONFIG: 400,
  TF_ERR_UNAUTHORIZED: 401,
  TF_ERR_RUN_NOT_FOUND: 404,
  TF_ERR_SESSION_STRATEGY_NOT_FOUND: 404,
  TF_ERR_RUN_STATE: 409,
  TF_ERR_TOO_MANY_RUNS: 429,
};

/** Returns the HTTP status for a coded error. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: string;
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details?: readonly FieldProblem[];
}

/** Returns the error body of a coded error. */
export function errorBody(e: TradeflowError): ErrorBody {
  return {
    error: e.message,
    code: e.code,
    hint: e.hint,
    ...(e instanceof InvalidRequestError ? { details: e.details } : {}),
  };
}

function isFastifyError(e: unknown): e is FastifyError {
  return e instanceof Error && typeof (e as { statusCode?: unknown }).statusCode === 'number';
}

/**
 * Answers every error as JSON `{ error, code, hint, details? }`: coded errors with their mapped status,
 * Fastify's own client errors (bad JSON, body too large, wrong content type) as TF_ERR_REQUEST_INVALID
 * with their status, anything else as a 500 that is logged.
 */
export function errorHandler(logger: Logger) {
  return (e: unknown, request: FastifyRequest, reply: FastifyReply): Promise<never> | FastifyReply => {
    if (isTradeflowError(e)) {
      const status = httpStatusOf(e.code);
      if (status === 500) logger.error(`${request.method} ${request.url}: ${e.code}: ${e.message}`);
      if (status === 401) void reply.header('www-authenticate', 'Bearer realm="tradeflow"');
      if (status === 429) void reply.header('retry-after', '1');
      return reply.code(status).send(errorBody(e));
    }
    if (isFastifyError(e) && e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      const err = new InvalidRequestError([{ path: '(body)', message: e.message }]);
      return reply.code(e.statusCode).send(errorBody(err));
    }
    const message = e instanceof Error ? e.message : String(e);
    logger.error(`${request.method} ${request.url}: ${e instanceof Error ? (e.stack ?? message) : message}`);
    return reply
      .code(500)
      .send(errorBody(new TradeflowError('TF_ERR_INTERNAL', `internal error: ${message}`)));
  };
}
