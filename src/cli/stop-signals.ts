// The signals that stop a CLI run as Ctrl-C does (SIGINT, SIGTERM, SIGHUP), handled in one place for every
// command that runs until it is told to stop.

/** The signals that stop a run: the run ends `cancelled` with its results written, exit code 130. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A signal that stops a run. */
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * Calls `onStop` on the first of STOP_SIGNALS the process gets, once; returns the function that removes the
 * handlers. While they are installed none of these signals ends the process by itself: once the first one
 * came they are removed, so a second signal ends the process at once (a run that does not stop can always
 * be ended, and a killed run is marked interrupted by the next command that opens its database).
 */
export function onStopSignal(onStop: (signal: StopSignal) => void): () => void {
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      remove();
      onStop(signal);
    };
    return { signal, handler };
  });
  const remove = () => {
    for (const { signal, handler } of handlers) process.removeListener(signal, handler);
  };
  for (const { signal, handler } of handlers) process.on(signal, handler);
  return remove;
}
