// The engine's door for library users (`import { ... } from 'tradeflow/engine'`): load a session, run it,
// and hear its events. Strategy modules use the main entry, 'tradeflow', instead.
export { loadSessionConfig } from '../config/session-config.ts';
export type { LoadedSession } from '../config/session-config.ts';
export { runBacktest } from './backtest.ts';
export type { BacktestOptions, BacktestRun } from './backtest.ts';
export { RUN_EVENT_KINDS, RunEvents } from './run-events.ts';
export type {
  ErrorEvent,
  FillEvent,
  OrderEventRecord,
  PositionEvent,
  RiskEvent,
  RunEvent,
  RunEventMap,
  SignalEvent,
  TradeEvent,
} from './run-events.ts';
