// The `tradeflow` command line: its commands and options, and how errors become messages and exit codes.
import { Command, InvalidArgumentError, Option } from 'commander';
import { WallClock } from '../core/clock.ts';
import { formatError, isTradeflowError } from '../core/errors.ts';
import { backtestCommand } from './backtest-command.ts';
import { registerDownloadCommand } from './download-command.ts';
import { registerFeedCommand } from './feed-command.ts';
import { parsePort } from './metrics-option.ts';
import { speedArgument } from './speed-option.ts';
import { addStrategiesCommand, type StrategiesIo } from './strategies-command.ts';
import { registerServeCommand } from './serve-command.ts';

function portArgument(text: string): number {
  const port = parsePort(text);
  if (port === undefined) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return port;
}

/** Where the commands that print plain results write them and read the time (default: the process's). */
export type CliIo = StrategiesIo;

const processIo: CliIo = { stdout: (text) => process.stdout.write(text), clock: new WallClock() };

/** Builds the `tradeflow` command line (without running it), so tests can drive it in process. */
export function buildCli(io: CliIo = processIo): Command {
  const program = new Command('tradeflow')
    .description('Run trading strategies over bars: backtest, replay and live share one engine.')
    .showHelpAfterError()
    .exitOverride();
  type RunOpts = {
    out?: string;
    json?: boolean;
    db?: string | false;
    progress?: boolean;
    quiet?: boolean;
    metricsPort?: number;
    holdMetrics?: boolean;
    withDbStrategies?: boolean;
    events?: string;
  };
  // Commander has no "requires" between options; a usage error like its own ones (exit code 1).
  const checkMetrics = (cmd: Command, opts: RunOpts) => {
    if (opts.holdMetrics && opts.metricsPort === undefined)
      cmd.error("error: option '--hold-metrics' needs '--metrics-port <port>'");
  };
  const runOptions = (cmd: Command) =>
    cmd
      .argument('<session>', 'session config file (JSON)')
      .option('--out <dir>', 'folder for result.json and report.html (default: out/<session name>)')
      .option('--json', 'print the result as one JSON object on stdout')
      .option('--db <path>', 'SQLite database for runs (default: out/tradeflow.db)')
      .option('--no-db', 'do not record the run in a database')
      .addOption(new Option('--progress', 'show a progress bar on stderr').default(undefined))
      .option('--quiet', 'print only errors on stderr')
      .option(
        '--metrics-port <port>',
        'serve Prometheus metrics at http://127.0.0.1:<port>/metrics during the run (0: any free port)',
        portArgument,
      )
      .option('--hold-metrics', 'keep serving metrics after the run until Ctrl-C (with --metrics-port)')
      .option(
        '--with-db-strategies',
        'also run the enabled strategy configurations of the database (as "db_strategies": true)',
      )
      .option('--events <file>', "write the run's events to this file, one JSON line per event");
  runOptions(
    program
      .command('backtest')
      .description(
        'run a session over its bar files: a data-driven backtest, or a replay when speed_multiplier > 0',
      ),
  ).action(async (session: string, opts: RunOpts, cmd: Command) => {
    checkMetrics(cmd, opts);
    process.exitCode = await backtestCommand(session, opts);
  });
  runOptions(
    program
      .command('replay')
      .description(
        'replay a session over its bar files clock-driven: bar time runs --speed times as fast as wall time',
      )
      .requiredOption('--speed <k>', 'how many times as fast as wall time bar time runs (> 0)', speedArgument)
      .option('--no-view', 'print plain log lines instead of the terminal view'),
  ).action(async (session: string, opts: RunOpts & { speed: number; view: boolean }, cmd: Command) => {
    checkMetrics(cmd, opts);
    const { speed, ...rest } = opts;
    process.exitCode = await backtestCommand(session, { ...rest, speedMultiplier: speed, watch: true });
  });
  runOptions(
    program
      .command('live')
      .description(
        'run a session live on a bar feed with the paper broker (its bar files up to live.start are warm-up history)',
      )
      .option('--feed <feed>', 'the bar feed: binance, replay, or a ws:// / wss:// URL (default: live.feed)')
      .option('--speed <k>', 'pace of the replay feed: bar time passes k x wall time', speedArgument)
      .option('--resume <run_id>', 'go on with a live run that stopped, from its last committed step')
      .option('--no-view', 'print plain log lines instead of the terminal view'),
  ).action(
    async (
      session: string,
      opts: RunOpts & { feed?: string; speed?: number; resume?: string; view: boolean },
      cmd: Command,
    ) => {
      checkMetrics(cmd, opts);
      const { feed, speed, ...rest } = opts;
      process.exitCode = await backtestCommand(session, { ...rest, live: { feed, speed }, watch: true });
    },
  );
  registerFeedCommand(program);
  // `tradeflow serve`: the HTTP API (src/api), registered from its own module.
  registerServeCommand(program);
  addStrategiesCommand(program, io);
  registerDownloadCommand(program);
  return program;
}

/** Runs the CLI with `argv`; errors print their code, message and hint to stderr and set a non-zero exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv], { from: 'user' });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander has printed its own message (help, version, usage error).
      process.exitCode = (e as { exitCode?: number }).exitCode ?? 1;
      return;
    }
    process.stderr.write(`error: ${formatError(e)}\n`);
    process.exitCode = isTradeflowError(e) ? 2 : 1;
  }
}
