// What each field of a stored row must be, table by table: the checks row-checks.ts runs on every row of a
// batch before a store writes it.

/** What is wrong with a row: the field, its value, and why. */
export interface RowProblem {
  readonly field: string;
  readonly value: unknown;
  readonly reason: string;
}

const SIDES = new Set(['buy', 'sell']);
const ORDER_TYPES = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const ORDER_STATUSES = new Set(['open', 'filled', 'rejected', 'cancelled']);
const TIME_IN_FORCE = new Set(['GTC', 'DAY', 'IOC', 'FOK']);
const ACTIONS = new Set(['BUY', 'SELL', 'HOLD', 'CLOSE', 'CANCEL', 'REPLACE']);

type Check = (row: Record<string, unknown>) => RowProblem | undefined;

/** The reason given for a value that is not a number. */
export const NOT_NUMBER = 'is not a number';
const num =
  (field: string): Check =>
  (r) => {
    const v = r[field];
    return typeof v === 'number' && v === v ? undefined : { field, value: v, reason: NOT_NUMBER };
  };
const optNum =
  (field: string): Check =>
  (r) => {
    const v = r[field];
    return v === undefined || (typeof v === 'number' && v === v)
      ? undefined
      : { field, value: v, reason: NOT_NUMBER };
  };
const text =
  (field: string): Check =>
  (r) => {
    const v = r[field];
    return typeof v === 'string' ? undefined : { field, value: v, reason: 'is not a string' };
  };
const optText =
  (field: string): Check =>
  (r) => {
    const v = r[field];
    return v === undefined || typeof v === 'string'
      ? undefined
      : { field, value: v, reason: 'is not a string' };
  };
const oneOf =
  (field: string, allowed: ReadonlySet<string>, optional = false): Check =>
  (r) => {
    const v = r[field];
    if ((optional && v === undefined) || (typeof v === 'string' && allowed.has(v))) return undefined;
    return { field, value: v, reason: `is not one of ${[...allowed].join(', ')}` };
  };
const optTrue: Check = (r) =>
  r['triggered'] === undefined || r['triggered'] === true
    ? undefined
    : { field: 'triggered', value: r['triggered'], reason: 'is not true (leave it out when false)' };
const bracket: Check = (r) => {
  const b = r['bracket'];
  if (b === undefined) return undefined;
  if (typeof b !== 'object' || b === null) return { field: 'bracket', value: b, reason: 'is not an object' };
  const inner = first([optNum('stopLoss'), optNum('takeProfit')], b);
  return inner === undefined ? undefined : { ...inner, field: `bracket.${inner.field}` };
};
const direction: Check = (r) =>
  r['direction'] === 1 || r['direction'] === -1
    ? undefined
    : { field: 'direction', value: r['direction'], reason: 'is not 1 or -1' };

/** Returns the first problem the checks find in a row, or undefined. */
export const first = (checks: readonly Check[], row: object): RowProblem | undefined => {
  for (const check of checks) {
    const problem = check(row as Record<string, unknown>);
    if (problem !== undefined) return problem;
  }
  return undefined;
};

/** The checks of an order row. */
export const ORDER: readonly Check[] = [
  num('id'),
  text('account'),
  text('strategy'),
  text('symbol'),
  oneOf('side', SIDES),
  num('quantity'),
  oneOf('type', ORDER_TYPES),
  optNum('price'),
  num('tsCreated'),
  oneOf('status', ORDER_STATUSES),
  optNum('tsClosed'),
  optText('reason'),
  optText('signalReason'),
  optText('ref'),
  oneOf('timeInForce', TIME_IN_FORCE, true),
  ...['stopPrice', 'trailAmount', 'trailPercent', 'filledQuantity', 'avgFillPrice'].map(optNum),
  optTrue,
  bracket,
  optNum('parentId'),
  optNum('ocoId'),
  optText('riskRule'),
];
/** The checks of a fill row. */
export const FILL: readonly Check[] = [
  num('id'),
  num('orderId'),
  text('account'),
  text('strategy'),
  text('symbol'),
  oneOf('side', SIDES),
  num('quantity'),
  num('price'),
  num('commission'),
  num('ts'),
];
/** The checks of a trade row. */
export const TRADE: readonly Check[] = [
  num('id'),
  text('account'),
  text('strategy'),
  text('symbol'),
  direction,
  ...['quantity', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'pnl', 'commission', 'bars'].map(num),
];
/** The checks of a signal's own fields. */
export const SIGNAL: readonly Check[] = [
  text('symbol'),
  oneOf('action', ACTIONS),
  optNum('quantity'),
  optNum('price'),
  oneOf('orderType', ORDER_TYPES, true),
  optText('reason'),
  optNum('confidence'),
];
/** The checks of an equity point. */
export const EQUITY: readonly Check[] = [num('ts'), num('equity'), num('cash')];
