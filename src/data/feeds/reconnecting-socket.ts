// One WebSocket kept open for a feed: reconnects by the backoff policy, watches for silence (no message,
// no ping or pong for the heartbeat time), and reports connection changes and the feed's one end.
import WebSocket from 'ws';
import { afterMs, type Cancellable, everyMs, monotonicMs } from '../../core/clock.ts';
import type { ConnectionEvent, FeedEnd } from './bar-feed.ts';
import { Backoff, type ReconnectPolicy } from './reconnect.ts';

/** What a feed gives the socket it keeps open. */
export interface ReconnectingSocketOptions {
  /** Names the feed in reasons. */
  readonly name: string;
  /** The URL of the next connection (a Binance combined stream names the streams subscribed now). */
  readonly url: () => string;
  readonly reconnect: ReconnectPolicy;
  /** A connection silent this long is terminated and retried; the socket pings at half of it. */
  readonly heartbeatMs: number;
  /** Seeds the jitter of the backoff. */
  readonly seed: number;
  /**
   * Runs before each connection attempt (a REST check of the symbols). A rejection counts as a failed
   * attempt, or ends the feed `failed` when `isFatal` says retrying cannot help (an unknown symbol).
   */
  readonly prepare?: () => Promise<void>;
  readonly isFatal?: (e: unknown) => boolean;
  /** A connection opened: send what the protocol asks (a subscribe message), start a backfill. */
  readonly onOpen: () => void;
  /** A message arrived: its text, or undefined for binary data. */
  readonly onText: (text: string | undefined) => void;
  readonly onConnection: (event: ConnectionEvent) => void;
  /** Called once, when the socket has ended for good; nothing is called after. */
  readonly onEnd: (end: FeedEnd) => void;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A WebSocket that reconnects until its policy is spent, a feed finishes it, or it is stopped. */
export class ReconnectingSocket {
  readonly #o: ReconnectingSocketOptions;
  readonly #backoff: Backoff;
  #ws: WebSocket | undefined;
  /** Bumped for every connection and at the end: events of an older connection are ignored. */
  #generation = 0;
  #ended = false;
  #everConnected = false;
  #retry: Cancellable | undefined;
  #watch: Cancellable | undefined;
  #lastBeatMs = 0;
  #lastError: string | undefined;
  #dropReason: string | undefined;

  constructor(options: ReconnectingSocketOptions) {
    this.#o = options;
    this.#backoff = new Backoff(options.reconnect, options.seed);
  }

  /** True once the socket has ended (completed, failed or stopped). */
  get ended(): boolean {
    return this.#ended;
  }

  /** True while a connection is open. */
  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Makes the first connection attempt. */
  start(): void {
    this.#connect();
  }

  /** Sends a text message on the open connection; dropped when none is open (onOpen sends it again). */
  send(text: string): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  /** Terminates the current connection as lost, so that the policy reconnects it (a failed backfill). */
  drop(reason: string): void {
    if (this.#ended || this.#ws === undefined) return;
    this.#dropReason = reason;
    this.#ws.terminate();
  }

  /** Ends the feed as complete (its server said it is done). */
  finish(reason: string): void {
    this.#end({ outcome: 'completed', reason });
  }

  /** Ends the feed as failed (retrying cannot help). */
  fail(reason: string): void {
    this.#end({ outcome: 'failed', reason });
  }

  /** Ends the feed as stopped by its user. */
  stop(): void {
    this.#end({ outcome: 'stopped', reason: `feed ${this.#o.name} stopped` });
  }

  #connect(): void {
    const generation = ++this.#generation;
    const prepared = this.#o.prepare === undefined ? Promise.resolve() : this.#o.prepare();
    prepared.then(
      () => {
        if (generation === this.#generation && !this.#ended) this.#open(generation);
      },
      (e: unknown) => {
        if (generation !== this.#generation || this.#ended) return;
        if (this.#o.isFatal?.(e) === true) this.fail(messageOf(e));
        else this.#lost(messageOf(e));
      },
    );
  }

  #open(generation: number): void {
    this.#lastError = undefined;
    this.#dropReason = undefined;
    const url = this.#o.url();
    // A server that accepts the TCP connection but never answers the upgrade counts as silent too.
    const ws = new WebSocket(url, { handshakeTimeout: this.#o.heartbeatMs });
    this.#ws = ws;
    const current = () => generation === this.#generation && !this.#ended;
    ws.on('open', () => {
      if (!current()) return;
      this.#backoff.reset();
      this.#everConnected = true;
      this.#beat();
      this.#watchSilence(ws);
      this.#o.onConnection({ kind: 'connected', url });
      this.#o.onOpen();
    });
    ws.on('message', (data, isBinary) => {
      if (!current()) return;
      this.#beat();
      if (isBinary) return this.#o.onText(undefined);
      this.#o.onText(
        Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : new TextDecoder().decode(data),
      );
    });
    // A server's pings (Binance sends them) and the answers to ours are signs of life as much as messages.
    ws.on('ping', () => this.#beat());
    ws.on('pong', () => this.#beat());
    ws.on('error', (e) => {
      this.#lastError = e.message;
    });
    ws.on('close', (code, reason) => {
      if (!current()) return;
      const said = reason.length > 0 ? `: ${reason.toString('utf8')}` : '';
      this.#lost(this.#dropReason ?? this.#lastError ?? `closed by the server (code ${code}${said})`);
    });
  }

  #beat(): void {
    this.#lastBeatMs = monotonicMs();
  }

  #watchSilence(ws: WebSocket): void {
    this.#watch?.cancel();
    this.#watch = everyMs(Math.max(1, this.#o.heartbeatMs / 2), () => {
      if (monotonicMs() - this.#lastBeatMs >= this.#o.heartbeatMs) {
        this.drop(`no message, ping or pong for ${this.#o.heartbeatMs} ms`);
      } else if (ws.readyState === WebSocket.OPEN) {
        ws.ping();
      }
    });
  }

  #lost(reason: string): void {
    this.#watch?.cancel();
    this.#watch = undefined;
    this.#ws = undefined;
    if (this.#ended) return;
    const url = this.#o.url();
    const next = this.#backoff.next();
    if (next === undefined) {
      const tries = this.#o.reconnect.max_attempts;
      this.fail(
        this.#everConnected
          ? `feed ${this.#o.name}: connection to ${url} lost (${reason}); gave up after ${tries} reconnect attempts`
          : `feed ${this.#o.name}: cannot connect to ${url} (${reason}); gave up after ${tries} retries`,
      );
      return;
    }
    this.#o.onConnection({ kind: 'disconnected', url, reason, attempt: next.attempt, retryInMs: next.delayMs });
    this.#retry = afterMs(next.delayMs, () => {
      this.#retry = undefined;
      if (!this.#ended) this.#connect();
    });
  }

  #end(end: FeedEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#generation++;
    this.#retry?.cancel();
    this.#watch?.cancel();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws !== undefined) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    }
    this.#o.onEnd(end);
  }
}
