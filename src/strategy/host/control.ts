// Control requests to a strategy thread (a symbol joined, subscriptions changed), sent and waited for in turn.
import { monotonicMs, yieldToEventLoop } from '../../core/clock.ts';
import type { ControlReply, ControlRequest } from './protocol.ts';
import type { ThreadRunner } from './thread-runner.ts';

/** How a control request is sent and waited for. */
export interface RequestOptions {
  /** The thread's step budget: it gets one per notification queued before the request, plus one. */
  readonly stepTimeoutMs: number;
  readonly sliceMs: number;
  /** Takes the signals the thread leaves while it works through its queue. */
  readonly takeSignals: () => void;
  /** Updates the state the thread reads (clock, cash, quality) just before the request is published. */
  readonly prepare: () => void;
}

/**
 * Sends a control request to a strategy thread and waits for its reply: the thread handles it after the
 * notifications it has queued (the event loop runs between slices, so a crash is seen). A thread that is
 * faulted, or has not answered within its budget (then terminated), gives an error reply. Requests to one
 * thread must not overlap: replies come back in order, without ids.
 */
export async function requestReply(
  r: ThreadRunner,
  request: ControlRequest,
  o: RequestOptions,
): Promise<ControlReply> {
  const started = monotonicMs();
  const budget = o.stepTimeoutMs * (1 + r.queued);
  const waited = (): ControlReply | undefined => {
    o.takeSignals();
    if (r.faulted !== undefined) return { error: `the strategy thread is faulted: ${r.faulted}` };
    if (monotonicMs() - started <= budget) return undefined;
    r.terminate(
      `step timeout: still busy after ${Math.round(budget)} ms (step_timeout_ms per queued notification) with a control request; terminated`,
    );
    return { error: r.faulted ?? 'terminated' };
  };
  // A full ring (a late thread in a replay or live run): let the thread make room first.
  while (!r.enqueueControl(request)) {
    if (r.publish()) r.waitDone(o.sliceMs);
    const out = waited();
    if (out) return out;
    await yieldToEventLoop();
  }
  o.prepare();
  r.publish();
  while (!r.waitDone(o.sliceMs)) {
    const out = waited();
    if (out) return out;
    await yieldToEventLoop();
  }
  o.takeSignals();
  if (r.faulted !== undefined) return { error: `the strategy thread is faulted: ${r.faulted}` };
  return r.takeReply() ?? { error: 'the strategy thread did not answer' };
}
