// Fault injection, item 5 (sandboxes): a symlink inside strategies/ or data/ that points outside is
// refused by the CLI, the API and `strategies add`, before the file it points to is read or imported.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBacktestConfig, strategyProblems } from '../../src/api/backtest-request.ts';
import { InvalidRequestError } from '../../src/api/errors.ts';
import { checkStrategyDefinition } from '../../src/cli/stored-strategies.ts';
import { parseSessionConfig } from '../../src/config/session-config.ts';
import { isTradeflowError } from '../../src/core/errors.ts';
import { loadSessionData } from '../../src/engine/session-builder.ts';
import { loadStrategies } from '../../src/strategy/loader.ts';
import { ROOT, runCli } from '../helpers.ts';

// A project of its own under test-artifacts/ (inside the repository, so that a strategy there can import
// 'tradeflow'), with a folder `outside/` next to its strategies/ and data/ that links point into.
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
const project = mkdtempSync(join(ROOT, 'test-artifacts', 'sandbox-'));
const outside = join(project, 'outside');
for (const d of ['outside/linked', 'strategies/real', 'data'])
  mkdirSync(join(project, d), { recursive: true });
afterAll(() => rmSync(project, { recursive: true, force: true }));

const SECRET = 'SECRET-TOKEN-1234';
// Valid strategies outside strategies/: before the fix the loader imported them and ran them.
const BUY_AND_HOLD = readFileSync(join(ROOT, 'strategies/examples/buy_and_hold.ts'), 'utf8');
writeFileSync(join(outside, 'escaped.ts'), BUY_AND_HOLD.replace('BuyAndHoldStrategy', 'EscapedStrategy'));
writeFileSync(
  join(outside, 'linked', 'via_folder.ts'),
  BUY_AND_HOLD.replace('BuyAndHoldStrategy', 'ViaFolderStrategy'),
);
copyFileSync(
  join(ROOT, 'strategies/examples/buy_and_hold.ts'),
  join(project, 'strategies/real/buy_and_hold.ts'),
);
symlinkSync(join(outside, 'escaped.ts'), join(project, 'strategies', 'escaped.ts'));
symlinkSync(join(outside, 'linked'), join(project, 'strategies', 'linked'));
// A file outside data/ whose first line is a secret: no error may quote it.
writeFileSync(join(outside, 'secret.csv'), `${SECRET},a,b\n1,2,3\n`);
symlinkSync(join(outside, 'secret.csv'), join(project, 'data', 'secret.csv'));
// A link that stays inside data/ is fine.
const BARS =
  'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,10,11,9,10.5,10.5,1000\n2020-01-03,10,11,9,10.5,10.5,1000\n';
writeFileSync(join(project, 'data', 'real.csv'), BARS);
symlinkSync(join(project, 'data', 'real.csv'), join(project, 'data', 'alias.csv'));

const buyAndHold = (module: string) => ({ module, config: { symbols: ['X'] } });
const config = (file: string, module = 'strategies/real/buy_and_hold') => ({
  data: [{ symbol: 'X', file, calendar: '24h' }],
  strategies: [buyAndHold(module)],
});
const session = (raw: unknown) => ({
  config: parseSessionConfig(raw, 'sandbox'),
  name: 'sandbox',
  file: join(project, 'sandbox.json'),
  root: project,
});

/** Returns the coded error `f` fails with (or the value it returned, which fails the assertions). */
async function failure(f: () => unknown): Promise<unknown> {
  try {
    return await f();
  } catch (e) {
    return e;
  }
}

function expectOutside(e: unknown, where: string, link: string, target: string): void {
  expect(isTradeflowError(e, 'TF_ERR_PATH_OUTSIDE'), String(e)).toBe(true);
  const message = (e as Error).message;
  expect(message).toContain(`${where}: ${link} is a symlink`);
  expect(message).toContain(`points outside`);
  expect(message).toContain(target);
  expect(message).not.toContain(SECRET);
}

/** The API's check of a request, its strategies checked here rather than in a run's thread. */
const checkApi = (raw: Record<string, unknown>) =>
  checkBacktestConfig(raw, project, { strategies: 32, dataSources: 100, checkTimeoutMs: 10_000 }, (c) =>
    strategyProblems(c, project),
  );

describe('a symlink out of strategies/', () => {
  it('is refused by the loader the CLI uses, for a linked file and a linked folder', async () => {
    const file = await failure(() =>
      loadStrategies(project, [session(config('data/real.csv', 'strategies/escaped')).config.strategies[0]!]),
    );
    expectOutside(file, 'strategies[0].module', 'strategies/escaped.ts', join(outside, 'escaped.ts'));
    const folder = await failure(() =>
      loadStrategies(
        project,
        session(config('data/real.csv', 'strategies/linked/via_folder')).config.strategies,
      ),
    );
    expectOutside(
      folder,
      'strategies[0].module',
      'strategies/linked/via_folder.ts',
      join(outside, 'linked', 'via_folder.ts'),
    );
    // A module really under strategies/ still loads.
    const ok = await loadStrategies(project, session(config('data/real.csv')).config.strategies);
    expect(ok.map((s) => s.module.className)).toEqual(['BuyAndHoldStrategy']);
  });

  it('is refused by `strategies add` (the check add and set run) and by the API', async () => {
    const added = await failure(() =>
      checkStrategyDefinition(project, {
        name: 'esc',
        type: 'strategies/escaped',
        parameters: {},
        instruments: ['X'],
      }),
    );
    expectOutside(
      added,
      'strategy configuration "esc": type',
      'strategies/escaped.ts',
      join(outside, 'escaped.ts'),
    );
    const api = await failure(() => checkApi(config('data/real.csv', 'strategies/escaped')));
    expect(api).toBeInstanceOf(InvalidRequestError);
    const details = (api as InvalidRequestError).details;
    expect(details).toHaveLength(1);
    expect(details[0]!.path).toBe('config.strategies[0].module');
    expect(details[0]!.message).toContain('strategies/escaped.ts is a symlink');
  });
});

describe('a symlink out of data/', () => {
  it('is refused before it is read, and no message quotes the file', async () => {
    const cli = await failure(() => loadSessionData(session(config('data/secret.csv'))));
    expectOutside(cli, 'data[0].file', 'data/secret.csv', join(outside, 'secret.csv'));
    const api = await failure(() => checkApi(config('data/secret.csv')));
    expect(api).toBeInstanceOf(InvalidRequestError);
    const [detail] = (api as InvalidRequestError).details;
    expect(detail?.path).toBe('config.data[0].file');
    expect(detail?.message).toContain('data/secret.csv is a symlink');
    expect(JSON.stringify(detail)).not.toContain(SECRET);
    // A link within data/ is loaded like the file it names.
    const loaded = loadSessionData(session(config('data/alias.csv')));
    expect(loaded.sources.map((s) => s.report.rows)).toEqual([2]);
  });

  it('stops the CLI with the coded error and exit code 2', async () => {
    const file = join(project, 'escape.json');
    writeFileSync(file, JSON.stringify({ ...config('data/secret.csv'), root: project }));
    const run = await runCli(['backtest', file, '--no-db', '--out', join(project, 'out')]);
    expect(run.stderr).toContain('TF_ERR_PATH_OUTSIDE: data[0].file: data/secret.csv is a symlink');
    expect(run.stderr).not.toContain(SECRET);
    expect(run.code).toBe(2);
  });
});
