// The session config's `live` section: where live bars come from, where the files' warm-up history ends,
// and how a lost connection is retried. `docs/session-config.md#live` documents it.
import { z } from 'zod';

/** How a live feed retries a lost connection: exponential backoff with jitter, then it gives up. */
export const ReconnectSchema = z
  .object({
    /** Retries after a connection is lost (or fails at start) before the run ends `interrupted`. */
    max_attempts: z.number().int().min(0).max(1000).default(10),
    initial_delay_ms: z.number().finite().positive().default(500),
    max_delay_ms: z.number().finite().positive().default(30_000),
  })
  .strict()
  .refine((r) => r.max_delay_ms >= r.initial_delay_ms, {
    message: 'max_delay_ms must be at least initial_delay_ms',
    path: ['max_delay_ms'],
  });

const wsUrl = z.string().regex(/^wss?:\/\/\S+$/, 'must be a WebSocket URL (ws:// or wss://)');
const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an HTTP URL (http:// or https://)');

/** Where live bars come from: Binance's public klines, a JSON WebSocket feed, or a replay of the data files. */
export const FeedSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('binance'),
        ws_url: wsUrl.default('wss://stream.binance.com:9443'),
        rest_url: httpUrl.default('https://api.binance.com'),
      })
      .strict(),
    z.object({ type: z.literal('websocket'), url: wsUrl }).strict(),
    z
      .object({
        type: z.literal('replay'),
        /** Wall-clock pace: bar time passes `speed` times as fast as wall time (`--speed`). */
        speed: z.number().finite().positive().default(60),
      })
      .strict(),
  ],
  { error: 'must be { "type": "binance" | "websocket" | "replay", ... }' },
);

/** How a session runs live (`tradeflow live`, `tradeflow replay`, `feed serve`). */
export const LiveSchema = z
  .object({
    feed: FeedSchema.default({ type: 'replay', speed: 60 }),
    /**
     * Where the data files stop being warm-up history (ISO 8601 with a zone): bars before it are history,
     * bars from it on are what a replay feed and `tradeflow feed serve` play. Absent: every bar is history
     * (a replay feed then plays nothing).
     */
    start: z.iso
      .datetime({
        offset: true,
        error: 'must be an ISO 8601 time with a zone, such as "2024-03-01T14:30:00Z"',
      })
      .optional(),
    /** Warm-up bars fetched from the feed (Binance REST) for a stream whose data file holds fewer. */
    history_bars: z.number().int().min(0).max(100_000).default(0),
    reconnect: ReconnectSchema.default({ max_attempts: 10, initial_delay_ms: 500, max_delay_ms: 30_000 }),
    /** A connection silent this long (no message, no ping) is taken as lost and reconnected. */
    heartbeat_ms: z.number().finite().positive().default(30_000),
  })
  .strict();

/** A validated `live` section. */
export type LiveConfig = z.output<typeof LiveSchema>;
/** A validated live feed. */
export type FeedConfig = z.output<typeof FeedSchema>;
