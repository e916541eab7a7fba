import { Command, Option } from 'commander';
import { formatError, isTradeflowError } from '../core/errors.ts';
import { backtestCommand } from './backtest-command.ts';

/** Builds the `tradeflow` command line (without running it), so tests can drive it in process. */
export function buildCli(): Command {
  const program = new Command('tradeflow')
    .description('Run trading strategies over bars: backtest now; replay and live share the same engine.')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('backtest')
    .description('run a data-driven backtest of a session config')
    .argument('<session>', 'session config file (JSON)')
    .option('--out <dir>', 'folder for result.json and report.html (default: out/<session name>)')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--db <path>', 'SQLite database for runs (default: out/tradeflow.db)')
    .option('--no-db', 'do not record the run in a database')
    .addOption(new Option('--progress', 'show a progress bar on stderr').default(undefined))
    .option('--quiet', 'print only errors on stderr')
    .action(
      async (
        session: string,
        opts: { out?: string; json?: boolean; db?: string | false; progress?: boolean; quiet?: boolean },
      ) => {
        process.exitCode = await backtestCommand(session, opts);
      },
    );
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
