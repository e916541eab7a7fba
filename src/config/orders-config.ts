// The session config's order terms: risk limits (per account and per strategy entry), how a bar that
// reaches both exits of a bracket is read, the volume share a fill may take, and strategy ticks.
// `docs/session-config.md#risk` documents them.
import { z } from 'zod';

const positive = z.number().finite().positive();

/**
 * Limits checked before an order reaches the broker; each is off when left out. A refused order is
 * rejected with its rule and numbers. Reducing orders (ones that bring a position toward flat) pass every
 * limit but `max_order_notional`.
 */
export const RiskSchema = z
  .object({
    /** Largest absolute position per symbol, in shares, that a filled order may leave. */
    max_position_shares: positive.optional(),
    /** Largest absolute position per symbol, in money at the last close, that a filled order may leave. */
    max_position_notional: positive.optional(),
    /** Largest order, in money at the last close (or its limit price). */
    max_order_notional: positive.optional(),
    /** Largest sum of absolute position values across symbols, in money at the last close. */
    max_gross_exposure: positive.optional(),
    /** Most orders working at once. */
    max_open_orders: z.number().int().min(1).optional(),
    /**
     * Loss since the session opened (equity at the session's first step minus equity now) past which new
     * entries are refused until the next session; reducing orders still pass.
     */
    daily_loss_limit: positive.optional(),
  })
  .strict();

/** A validated risk section. */
export type RiskConfig = z.output<typeof RiskSchema>;

/**
 * How a bar that reaches both a bracket's stop-loss and its take-profit is read: `worst` takes the
 * stop-loss (the cautious default), `best` the take-profit, `open_distance` whichever price is nearer the
 * bar's open (the stop-loss on a tie).
 */
export const IntrabarSchema = z.enum(['worst', 'best', 'open_distance']);

/** A validated intrabar rule. */
export type IntrabarRule = z.output<typeof IntrabarSchema>;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration such as `"500ms"`, `"30s"`, `"5m"` or `"1h"`, read as milliseconds. */
export const DurationSchema = z
  .string()
  .regex(/^[1-9]\d*(ms|s|m|h)$/, 'must be a whole number and a unit: ms, s, m or h (e.g. "30s")')
  .transform((text) => {
    const unit = text.match(/(ms|s|m|h)$/)![1] as keyof typeof UNIT_MS;
    return Number.parseInt(text, 10) * UNIT_MS[unit];
  });
