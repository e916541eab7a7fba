// The `--speed <k>` option of `tradeflow replay`, `live` (the replay feed) and `feed serve`: bar time passes k
// times as fast as wall time.
import { InvalidArgumentError } from 'commander';

/** Parses `--speed`: a finite number greater than 0 (`60`: an hour of bars a minute); a usage error otherwise. */
export function speedArgument(text: string): number {
  const trimmed = text.trim();
  const k = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(k) || k <= 0) {
    throw new InvalidArgumentError(
      `expected a number greater than 0 (bar time runs k times as fast as wall time: 60 plays an hour of bars in a minute, 1 in real time)`,
    );
  }
  return k;
}
