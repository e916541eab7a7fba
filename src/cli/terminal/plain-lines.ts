// The plain log lines a running session prints when stdout is not a terminal: one per fill, and a short
// status line now and then.
import type { SessionSnapshot } from '../../engine/session-snapshot.ts';
import type { Fill } from '../../model/order.ts';
import { barTime, money, price, safe } from './text.ts';

/** Returns the line of one fill: when, who, what, at what price, and the account when there are several. */
export function fillLine(f: Fill, showAccount: boolean): string {
  return (
    `fill ${barTime(f.ts)} ${safe(f.strategy)} ${safe(f.symbol)} ${f.side} ${f.quantity} @ ${price(f.price)}` +
    ` commission ${money(f.commission)}` +
    (showAccount ? ` account ${safe(f.account)}` : '')
  );
}

/** Returns the status line: steps, the last bar's time, equity, paused or not, and each strategy's counts. */
export function statusLine(s: SessionSnapshot): string {
  const strategies = s.strategies
    .map(
      (st) =>
        `${safe(st.name)} ${st.state} ${st.signals} signals ${st.errors} errors ${st.overruns} overruns`,
    )
    .join('; ');
  return (
    `status steps ${s.steps} last bar ${barTime(s.lastBarMs)} equity ${money(s.equity)}` +
    (s.paused ? ' PAUSED' : '') +
    (strategies ? ` | ${strategies}` : '')
  );
}
