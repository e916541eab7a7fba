export { buildApp } from './app.ts';
export type { TradeflowApp } from './app.ts';
export type { AppOptions } from './options.ts';
export { APP_DEFAULTS, isLoopbackHost, MIN_TOKEN_LENGTH } from './options.ts';
export type { ErrorBody, FieldProblem } from './errors.ts';
export { httpStatusOf, InvalidRequestError } from './errors.ts';
export { MAX_TICKERS } from './schemas.ts';
