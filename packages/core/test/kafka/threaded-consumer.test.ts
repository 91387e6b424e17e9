import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { packBatch } from '../../src/kafka/kafkajs/thread-protocol.js';
import type { FromConsumerThread, ToConsumerThread } from '../../src/kafka/kafkajs/thread-protocol.js';
import { ThreadedKafkaJsConsumer, type ConsumerThread } from '../../src/kafka/kafkajs/threaded-consumer.js';
import type {
  BatchControl,
  ConsumerHandlers,
  FetchedBatch,
  TopicPartitionRef,
} from '../../src/kafka/port.js';

// The task-thread side of the threaded consumer, against a fake consumer thread: which batches reach
// the engine, which seeks go back, and how revocation waits for the batch in progress.

class FakeThread extends EventEmitter implements ConsumerThread {
  readonly posted: ToConsumerThread[] = [];
  failNextCall: { message: string; type?: string } | null = null;

  postMessage(m: ToConsumerThread): void {
    this.posted.push(m);
    if (m.type === 'call') {
      const failure = this.failNextCall;
      this.failNextCall = null;
      queueMicrotask(() =>
        this.send({
          type: 'reply',
          id: m.id,
          ...(failure
            ? { error: { name: 'KafkaJSError', message: failure.message, type: failure.type } }
            : {}),
        }),
      );
    }
  }

  send(m: FromConsumerThread): void {
    this.emit('message', m);
  }

  terminate(): Promise<number> {
    this.emit('exit', 0);
    return Promise.resolve(0);
  }

  of<T extends ToConsumerThread['type']>(type: T): Extract<ToConsumerThread, { type: T }>[] {
    return this.posted.filter((m) => m.type === type) as Extract<ToConsumerThread, { type: T }>[];
  }
}

/** A batch as the consumer thread sends it, stamped with the seeks of its partition it had applied. */
function batch(partition: number, fetchedOffset: number, count: number, seekEpoch = 0): FetchedBatch {
  return {
    topic: 't',
    partition,
    highWatermark: 1000,
    fetchedOffset,
    seekEpoch,
    nextOffset: fetchedOffset + count,
    messages: Array.from({ length: count }, (_, i) => ({
      offset: fetchedOffset + i,
      key: null,
      value: Buffer.from(`v${fetchedOffset + i}`),
      timestamp: 1,
      timestampType: 'CreateTime' as const,
      headers: [],
    })),
  };
}

const send = (thread: FakeThread, b: FetchedBatch) =>
  thread.send({ type: 'batch', batch: packBatch(b).packed });
const flush = () => new Promise((resolve) => setImmediate(resolve));

interface Seen {
  partition: number;
  offsets: number[];
  control: BatchControl;
}

async function start(onBatch: (b: FetchedBatch, control: BatchControl) => Promise<void> | void) {
  const thread = new FakeThread();
  const consumer = new ThreadedKafkaJsConsumer(
    {},
    { groupId: 'g', clientId: 'c' },
    pino({ level: 'silent' }),
    () => thread,
  );
  const seen: Seen[] = [];
  const events: string[] = [];
  const crashes: Error[] = [];
  const handlers: ConsumerHandlers = {
    onPartitionsAssigned: async (tps: readonly TopicPartitionRef[]) => {
      events.push(`assigned ${tps.map((tp) => tp.partition).join(',')}`);
    },
    onPartitionsRevoked: async (tps: readonly TopicPartitionRef[]) => {
      events.push(`revoked ${tps.map((tp) => tp.partition).join(',')}`);
    },
    onBatch: async (b, control) => {
      seen.push({ partition: b.partition, offsets: b.messages.map((m) => m.offset), control });
      events.push(`batch ${b.partition}@${b.messages[0]?.offset}`);
      await onBatch(b, control);
    },
    onCrash: (e) => crashes.push(e),
  };
  await consumer.connect();
  await consumer.run(handlers);
  return { thread, consumer, seen, events, crashes };
}

describe('ThreadedKafkaJsConsumer (task thread side)', () => {
  it('hands batches to the engine in order and returns a credit for each', async () => {
    const { thread, seen } = await start((b, c) => c.resolve(b.nextOffset));
    send(thread, batch(0, 0, 3));
    send(thread, batch(0, 3, 2));
    send(thread, batch(1, 10, 1));
    await flush();
    expect(seen.map((s) => [s.partition, s.offsets])).toEqual([
      [0, [0, 1, 2]],
      [0, [3, 4]],
      [1, [10]],
    ]);
    expect(thread.of('taken')).toHaveLength(3);
    expect(thread.of('taken').every((t) => t.bytes > 0)).toBe(true);
    expect(thread.of('seek')).toEqual([]);
  });

  it('a batch the engine took only in part is fetched again from there; batches sent before are dropped', async () => {
    const { thread, seen } = await start((b, c) => {
      // Takes two records of the first batch only (as when the partition gets paused).
      c.resolve(b.fetchedOffset === 0 ? 2 : b.nextOffset);
    });
    send(thread, batch(0, 0, 5));
    send(thread, batch(0, 5, 5)); // fetched ahead, queued here when the seek happens: dropped
    await flush();
    expect(thread.of('seek')).toEqual([{ type: 'seek', offset: { topic: 't', partition: 0, offset: 2 } }]);
    send(thread, batch(0, 10, 5)); // sent by the thread before it got the seek: dropped too
    send(thread, batch(1, 0, 1)); // another partition: unaffected
    await flush();
    send(thread, batch(0, 2, 3, 1)); // fetched again from the seek position, after the thread applied it
    await flush();
    expect(seen.map((s) => [s.partition, s.offsets[0]])).toEqual([
      [0, 0],
      [1, 0],
      [0, 2],
    ]);
    // Every batch, dropped or handled, gave its credit back.
    expect(thread.of('taken')).toHaveLength(5);
  });

  it('does not undo a rewind the engine asked for itself', async () => {
    let consumerRef: ThreadedKafkaJsConsumer | null = null;
    const { thread, consumer, seen } = await start((b) => {
      if (b.fetchedOffset === 10) consumerRef!.seek({ topic: 't', partition: 0, offset: 4 });
    });
    consumerRef = consumer;
    send(thread, batch(0, 10, 5));
    send(thread, batch(0, 15, 5));
    await flush();
    expect(thread.of('seek').map((s) => s.offset.offset)).toEqual([4]);
    send(thread, batch(0, 4, 2, 1));
    await flush();
    expect(seen.map((s) => s.offsets[0])).toEqual([10, 4]);
  });

  it('revocation stops the batch in progress, drops what is queued and runs after the batch returned', async () => {
    let release!: () => void;
    const inBatch = new Promise<void>((resolve) => (release = resolve));
    const { thread, seen, events } = await start(async (b, c) => {
      if (b.fetchedOffset === 0) await inBatch;
      c.resolve(b.nextOffset);
    });
    thread.send({ type: 'assigned', id: 1, partitions: [{ topic: 't', partition: 0 }] });
    await flush();
    send(thread, batch(0, 0, 2));
    send(thread, batch(0, 2, 2));
    await flush();
    thread.send({ type: 'revoked', id: 2, partitions: [{ topic: 't', partition: 0 }] });
    await flush();
    expect(seen[0]!.control.rebalancing()).toBe(true);
    expect(events).toEqual(['assigned 0', 'batch 0@0']);
    release();
    await flush();
    expect(events).toEqual(['assigned 0', 'batch 0@0', 'revoked 0']);
    expect(thread.of('answer').map((a) => a.id)).toEqual([1, 2]);
    expect(seen).toHaveLength(1);
    // After the next assignment, batches flow again.
    thread.send({ type: 'assigned', id: 3, partitions: [{ topic: 't', partition: 0 }] });
    await flush();
    send(thread, batch(0, 0, 2));
    await flush();
    expect(seen).toHaveLength(2);
    expect(seen[1]!.control.rebalancing()).toBe(false);
  });

  it('reports the thread’s errors: a failed call rejects with the Kafka error, a crash reaches onCrash', async () => {
    const { thread, consumer, crashes } = await start(() => undefined);
    thread.failNextCall = {
      message: 'This server does not host this topic-partition',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    };
    await expect(consumer.commit([{ topic: 't', partition: 0, offset: 5 }])).rejects.toMatchObject({
      message: 'This server does not host this topic-partition',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    thread.send({ type: 'crash', error: { name: 'KafkaJSError', message: 'broker gone' } });
    expect(crashes.map((e) => e.message)).toEqual(['broker gone']);
  });

  it('an unexpected exit of the thread fails pending calls and reports a crash', async () => {
    const { thread, consumer, crashes } = await start(() => undefined);
    thread.postMessage = (m: ToConsumerThread) => void thread.posted.push(m); // the thread no longer answers
    const pending = consumer.commit([{ topic: 't', partition: 0, offset: 1 }]);
    thread.emit('exit', 1);
    await expect(pending).rejects.toThrow(/consumer thread has exited \(code 1\)/);
    expect(crashes.map((e) => e.message)).toEqual(['The consumer thread has exited (code 1)']);
  });

  describe('past the session the consumer thread last reported (a frozen process)', () => {
    afterEach(() => void vi.useRealTimers());

    /** The process was frozen for `ms`: only the wall clock moves. */
    const freezeFor = (ms: number) => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      vi.setSystemTime(Date.now() + ms);
    };

    it('holds the batches received before until the consumer thread confirms the membership', async () => {
      let release!: () => void;
      const inBatch = new Promise<void>((resolve) => (release = resolve));
      const { thread, seen } = await start(async (b, c) => {
        if (b.fetchedOffset === 0) await inBatch;
        c.resolve(b.nextOffset);
      });
      thread.send({ type: 'session', expiresAt: Date.now() + 6000 });
      thread.send({ type: 'assigned', id: 1, partitions: [{ topic: 't', partition: 0 }] });
      await flush();
      send(thread, batch(0, 0, 2));
      send(thread, batch(0, 2, 2));
      await flush();
      expect(seen[0]!.control.rebalancing()).toBe(false);
      freezeFor(7000);
      // No put starts past the session, and the queued batch waits.
      expect(seen[0]!.control.rebalancing()).toBe(true);
      release();
      await flush();
      expect(seen).toHaveLength(1);
      thread.send({ type: 'session', expiresAt: Date.now() + 6000 });
      await flush();
      expect(seen.map((s) => s.offsets)).toEqual([
        [0, 1],
        [2, 3],
      ]);
    });

    it('drops them when the consumer thread revokes instead (the group went on without this member)', async () => {
      const { thread, seen, events } = await start((b, c) => c.resolve(b.nextOffset));
      thread.send({ type: 'session', expiresAt: Date.now() + 6000 });
      thread.send({ type: 'assigned', id: 1, partitions: [{ topic: 't', partition: 0 }] });
      await flush();
      freezeFor(7000);
      send(thread, batch(0, 0, 2));
      send(thread, batch(0, 2, 2));
      await flush();
      expect(seen).toHaveLength(0);
      thread.send({ type: 'revoked', id: 2, partitions: [{ topic: 't', partition: 0 }] });
      await flush();
      expect(events).toEqual(['assigned 0', 'revoked 0']);
      // Both returned to the consumer thread's in-flight budget, neither delivered.
      expect(thread.of('taken')).toHaveLength(2);
      thread.send({ type: 'session', expiresAt: Date.now() + 6000 });
      await flush();
      expect(seen).toHaveLength(0);
    });
  });
});
