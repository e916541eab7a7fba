// The columns of each event table as a flat batch holds them (flat-batch.ts), and which of them hold text;
// SQLite's tables have the same columns, plus run_id.

/** The columns of each event table, in the order a flat row holds them. */
export const COLUMNS = {
  orders: [
    'id',
    'strategy',
    'symbol',
    'side',
    'quantity',
    'type',
    'price',
    'ts_created',
    'status',
    'ts_closed',
    'reason',
    'signal_reason',
    'account',
    'ref',
    'time_in_force',
    'stop_price',
    'trail_amount',
    'trail_percent',
    'triggered',
    'filled_quantity',
    'avg_fill_price',
    'bracket_stop_loss',
    'bracket_take_profit',
    'parent_id',
    'oco_id',
    'risk_rule',
  ],
  fills: ['id', 'order_id', 'strategy', 'symbol', 'side', 'quantity', 'price', 'commission', 'ts', 'account'],
  trades: [
    'id',
    'strategy',
    'symbol',
    'direction',
    'quantity',
    'entry_time',
    'entry_price',
    'exit_time',
    'exit_price',
    'pnl',
    'commission',
    'bars',
    'account',
  ],
  signals: [
    'ts',
    'strategy',
    'symbol',
    'action',
    'quantity',
    'price',
    'order_type',
    'reason',
    'confidence',
    'metadata',
    'order_id',
  ],
  equity: ['ts', 'equity', 'cash'],
} as const satisfies Record<string, readonly string[]>;

/** An event table of a run. */
export type EventTable = keyof typeof COLUMNS;

/** The text columns of each table; every other column holds a number. */
export const TEXT: { readonly [T in EventTable]: readonly (typeof COLUMNS)[T][number][] } = {
  orders: [
    'strategy',
    'symbol',
    'side',
    'type',
    'status',
    'reason',
    'signal_reason',
    'account',
    'ref',
    'time_in_force',
    'risk_rule',
  ],
  fills: ['strategy', 'symbol', 'side', 'account'],
  trades: ['strategy', 'symbol', 'account'],
  signals: ['strategy', 'symbol', 'action', 'order_type', 'reason', 'metadata'],
  equity: [],
};

/** For each table, whether each column (in COLUMNS order) holds text. */
export const IS_TEXT: { readonly [T in EventTable]: readonly boolean[] } = {
  orders: textMask('orders'),
  fills: textMask('fills'),
  trades: textMask('trades'),
  signals: textMask('signals'),
  equity: textMask('equity'),
};

function textMask(t: EventTable): boolean[] {
  return COLUMNS[t].map((c) => (TEXT[t] as readonly string[]).includes(c));
}
