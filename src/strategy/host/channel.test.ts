import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { delay, monotonicMs } from '../../core/clock.ts';
import type { EchoMessage, EchoReply, EchoWorkerData } from '../../../test/fixtures/workers/channel-echo.ts';
import { sharedMetrics } from './metrics.ts';
import { ConsumerChannel, createChannel, entry, Kind, ProducerChannel } from './channel.ts';

/** Both ends of one channel, on this thread (the rings and counters are the same shared memory). */
function channelPair(capacity: number) {
  const buffers = createChannel({
    capacity,
    symbols: 2,
    subscriptions: 3,
    metrics: sharedMetrics().buffer as SharedArrayBuffer,
  });
  return { buffers, producer: new ProducerChannel(buffers), consumer: new ConsumerChannel(buffers) };
}

/** Takes every notification in the ring, in order. */
function drain(consumer: ConsumerChannel): number[] {
  const out: number[] = [];
  for (let v = consumer.next(); v >= 0; v = consumer.next()) out.push(v);
  return out;
}

const kindOf = (v: number) => v >>> 24;
const subscriptionOf = (v: number) => v & 0xffffff;

describe('channel on one thread', () => {
  it('drops the oldest notification on request, but never a control request', () => {
    const { producer, consumer } = channelPair(4);
    producer.push(entry(Kind.Bar, 1));
    producer.push(entry(Kind.Control, 0));
    producer.push(entry(Kind.Bar, 2));
    expect(producer.dropOldest()).toBe(entry(Kind.Bar, 1));
    // The control request's message waits on its port for exactly this entry: it stays.
    expect(producer.dropOldest()).toBe(-1);
    expect(producer.queued).toBe(2);
    expect(drain(consumer).map(kindOf)).toEqual([Kind.Control, Kind.Bar]);
    expect(producer.dropOldest()).toBe(-1);
  });

  it('carries a step’s notifications to the consumer and its signals back through the outbox', () => {
    const { producer, consumer } = channelPair(4);
    expect([producer.queued, producer.hasRoom, producer.step]).toEqual([0, true, 0]);

    producer.push(entry(Kind.Bar, 2));
    producer.push(entry(Kind.Quality, 1));
    producer.push(entry(Kind.Bar, 0));
    expect(producer.queued).toBe(3);
    expect(producer.publish()).toBe(1);
    expect(producer.isDone(1)).toBe(false);

    expect(consumer.awaitStep(0)).toBe(1);
    const taken = drain(consumer);
    expect(taken.map((v) => [kindOf(v), subscriptionOf(v)])).toEqual([
      [Kind.Bar, 2],
      [Kind.Quality, 1],
      [Kind.Bar, 0],
    ]);
    expect(producer.queued).toBe(0);

    // Not done yet: waitDone gives up after its timeout.
    const t0 = monotonicMs();
    expect(producer.waitDone(1, 20)).toBe(false);
    expect(monotonicMs() - t0).toBeGreaterThanOrEqual(15);

    const signals = JSON.stringify([{ symbol: 'X', action: 'BUY', quantity: 3 }]);
    consumer.complete(1, signals);
    expect(producer.isDone(1)).toBe(true);
    expect(producer.waitDone(1, 1000)).toBe(true);
    expect(producer.takeOutbox()).toBe(signals);
    // Taken once: the next read finds nothing.
    expect(producer.takeOutbox()).toBe('');

    // A step without signals leaves an empty outbox.
    producer.push(entry(Kind.Bar, 1));
    expect(producer.publish()).toBe(2);
    expect(consumer.awaitStep(1)).toBe(2);
    expect(drain(consumer)).toEqual([entry(Kind.Bar, 1)]);
    consumer.complete(2, '');
    expect([producer.isDone(2), producer.takeOutbox()]).toEqual([true, '']);
  });

  it('keeps notifications in order as the ring wraps around its capacity many times', () => {
    const capacity = 3;
    const { producer, consumer } = channelPair(capacity);
    const sent: number[] = [];
    const received: number[] = [];
    let seq = 0;
    for (let round = 0; round < 20; round++) {
      // Fill the ring to the brim, then take two: the write and read positions move on by a slot per round.
      while (producer.hasRoom) {
        producer.push(entry(Kind.Bar, ++seq));
        sent.push(entry(Kind.Bar, seq));
      }
      expect(producer.queued).toBe(capacity);
      for (let k = 0; k < 2; k++) received.push(consumer.next());
      expect(producer.queued).toBe(capacity - 2);
    }
    received.push(...drain(consumer));
    expect(consumer.next()).toBe(-1);
    // 3 in the first round, then 2 a round: 41 notifications through 3 slots.
    expect(sent.length).toBe(capacity + 2 * 19);
    expect(received).toEqual(sent);
    expect(received.map(subscriptionOf)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
  });

  it('grows the outbox for a signals payload larger than 64 KiB, counting bytes, not characters', () => {
    const { buffers, producer, consumer } = channelPair(2);
    expect(buffers.outbox.byteLength).toBe(65_536);
    // 40 000 characters, but 80 000 bytes in UTF-8: a check on the string's length would not grow the outbox.
    const wide = JSON.stringify([{ symbol: 'X', action: 'HOLD', reason: 'é'.repeat(40_000) }]);
    expect(wide.length).toBeLessThan(65_536);
    consumer.complete(1, wide);
    expect(buffers.outbox.byteLength).toBe(131_072);
    expect(producer.takeOutbox()).toBe(wide);

    const large = JSON.stringify([{ symbol: 'X', action: 'HOLD', reason: 'x'.repeat(1_000_000) }]);
    consumer.complete(2, large);
    expect(buffers.outbox.byteLength).toBe(1_048_576);
    expect(producer.takeOutbox()).toBe(large);

    // A small payload after the growth reads back whole, not padded with the earlier bytes.
    const small = JSON.stringify([{ symbol: 'X', action: 'CLOSE' }]);
    consumer.complete(3, small);
    expect(producer.takeOutbox()).toBe(small);
    expect(producer.isDone(3)).toBe(true);
  });

  it('raises the stop flag and publishes a step, so a sleeping consumer wakes to see it', () => {
    const { producer, consumer } = channelPair(2);
    producer.push(entry(Kind.Bar, 0));
    producer.publish();
    expect(consumer.awaitStep(0)).toBe(1);
    expect(consumer.stopping).toBe(false);
    producer.stop();
    expect(consumer.stopping).toBe(true);
    // A thread that sees the request as it finishes step 1 still serves step 2, which carries the stop.
    expect(consumer.stopsAfter(1)).toBe(false);
    expect(consumer.stopsAfter(2)).toBe(true);
    expect(producer.step).toBe(2);
    expect(consumer.awaitStep(1)).toBe(2);
    // The notification queued before the stop is still there to be drained.
    expect(drain(consumer)).toEqual([entry(Kind.Bar, 0)]);
  });
});

describe('channel across threads', () => {
  it('serves a real worker thread step after step, through wrap-arounds, a sleep and a large reply, until stopped', async () => {
    const big = 0xbeef;
    const buffers = createChannel({
      capacity: 4,
      symbols: 0,
      subscriptions: 0,
      metrics: sharedMetrics().buffer as SharedArrayBuffer,
    });
    const producer = new ProducerChannel(buffers);
    const workerData: EchoWorkerData = { channel: buffers, big };
    const worker = new Worker(new URL('../../../test/fixtures/workers/channel-echo.mjs', import.meta.url), {
      workerData,
    });
    const messages: EchoMessage[] = [];
    worker.on('message', (m: EchoMessage) => messages.push(m));
    const exited = once(worker, 'exit');
    try {
      // Block on the channel only once the worker serves it (as the runner waits for 'ready').
      while (messages.length === 0) await delay(5).promise;
      expect(messages).toEqual([{ type: 'ready' }]);

      const replies: EchoReply[] = [];
      const roundTrip = () => {
        producer.publish();
        expect(producer.waitDone(producer.step, 5000)).toBe(true);
        replies.push(JSON.parse(producer.takeOutbox()) as EchoReply);
      };
      const sent: number[] = [];
      let seq = 0;
      for (let s = 0; s < 30; s++) {
        // Past its spin, the worker sleeps in Atomics.wait: only the producer's notify wakes it.
        if (s === 10) await delay(30).promise;
        // Up to 7 notifications into a ring of 4: a full ring hands over what is queued first.
        for (let k = 0; k <= s % 7; k++) {
          if (!producer.hasRoom) roundTrip();
          const v = s === 20 && k === 0 ? big : ++seq;
          producer.push(v);
          sent.push(v);
        }
        roundTrip();
      }
      producer.stop();
      const [code] = (await exited) as [number];
      expect(code).toBe(0);
      expect(messages).toEqual([{ type: 'ready' }, { type: 'stopped', after: producer.step }]);

      expect(sent.length).toBeGreaterThan(100);
      expect(replies.flatMap((r) => r.values)).toEqual(sent);
      expect(replies.map((r) => r.step)).toEqual(replies.map((_, i) => i + 1));
      expect(replies.length).toBeGreaterThan(30);
      // The reply to `big` was 300 000 characters of padding: the outbox grew to 512 KiB to carry it.
      expect(replies.find((r) => r.values.includes(big))?.padding).toHaveLength(300_000);
      expect(replies.filter((r) => r.padding !== '')).toHaveLength(1);
      expect(buffers.outbox.byteLength).toBe(524_288);
    } finally {
      await worker.terminate();
    }
  });
});
