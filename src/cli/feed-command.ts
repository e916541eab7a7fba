// `tradeflow feed serve`: a session's bars from `live.start` on, served as the JSON WebSocket feed at a
// wall-clock pace, so `tradeflow live` can be tried with two terminals and no outside server.
import { type Command, InvalidArgumentError } from 'commander';
import { loadSessionConfig } from '../config/session-config.ts';
import { createStderrLogger } from '../core/logger.ts';
import { startFeedServer } from '../data/feeds/feed-server.ts';
import { loadReplayBars } from '../data/feeds/replay-bars.ts';
import { parsePort } from './metrics-option.ts';
import { speedArgument } from './speed-option.ts';
import { onStopSignal } from './stop-signals.ts';

/** The replay pace when neither `--speed` nor a replay `live.feed` gives one (1m bars: one a second). */
const DEFAULT_SPEED = 60;

/** Options of `tradeflow feed serve`. */
export interface FeedServeOptions {
  readonly port: number;
  readonly host: string;
  readonly speed?: number;
}

/**
 * Runs `tradeflow feed serve`: loads the bars, listens, prints the URL on stderr, plays the bars from the
 * first connection on, and closes on SIGINT, SIGTERM or SIGHUP.
 */
export async function feedServeCommand(file: string, opts: FeedServeOptions): Promise<number> {
  const logger = createStderrLogger('warn');
  const session = loadSessionConfig(file);
  const replay = loadReplayBars(session, logger);
  const configured = session.config.live?.feed;
  const speed = opts.speed ?? (configured?.type === 'replay' ? configured.speed : DEFAULT_SPEED);
  const server = await startFeedServer({
    replay,
    speed,
    host: opts.host,
    port: opts.port,
    log: logger,
    onPlayed: () =>
      process.stderr.write(
        `feed: all ${replay.bars.length} bars played; a client that connects now gets them at once (Ctrl-C to stop)\n`,
      ),
  });
  const streams = replay.streams.map((s) => `${s.symbol} ${s.interval} (${s.bars} bars)`).join(', ');
  process.stderr.write(
    `feed: ${replay.name} from ${new Date(replay.startMs).toISOString()}: ${streams} at speed ${speed}\n` +
      `feed: serving ${server.url} (play starts when the first client connects; Ctrl-C to stop)\n`,
  );
  await new Promise<void>((done) => onStopSignal(() => done()));
  await server.close();
  return 0;
}

/** Adds `tradeflow feed serve` to the command line. */
export function registerFeedCommand(program: Command): void {
  const feed = program.command('feed').description('serve bar feeds');
  feed
    .command('serve')
    .description(
      "serve a session's bars from live.start on as a JSON WebSocket feed, paced like live bars (for tradeflow live)",
    )
    .argument('<session>', 'session config file (JSON) with live.start')
    .requiredOption('--port <port>', 'port to listen on (0: any free port)', (text: string) => {
      const port = parsePort(text);
      if (port === undefined) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
      return port;
    })
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--speed <k>',
      "bar time passes k x wall time (default: live.feed's replay speed, else 60)",
      speedArgument,
    )
    .action(async (session: string, opts: FeedServeOptions) => {
      process.exitCode = await feedServeCommand(session, opts);
    });
}
