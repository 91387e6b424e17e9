import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { KafkaJsConsumer } from '../../src/kafka/kafkajs/consumer.js';
import type {
  BatchControl,
  ConsumerHandlers,
  FetchedBatch,
  TopicPartitionRef,
} from '../../src/kafka/port.js';

// The kafkajs adapter against a scripted kafkajs consumer: fetch-ahead (eachBatch queues and returns),
// the bound of the queue, seeks when the engine takes part of a batch, and the order of revocation,
// batch handling and assignment when kafkajs announces a rebalance while a batch is in put.

const EVENTS = {
  GROUP_JOIN: 'consumer.group_join',
  REBALANCING: 'consumer.rebalancing',
  CRASH: 'consumer.crash',
};

/** A kafkajs Consumer whose fetches the test makes, one eachBatch call at a time. */
class ScriptedKafkaJs extends EventEmitter {
  readonly events = EVENTS;
  readonly seeks: { topic: string; partition: number; offset: string }[] = [];
  eachBatch: ((p: EachBatchPayload) => Promise<void>) | null = null;
  heartbeats = 0;
  async connect() {}
  async subscribe() {}
  async disconnect() {}
  async commitOffsets() {}
  pause() {}
  resume() {}
  seek(s: { topic: string; partition: number; offset: string }) {
    this.seeks.push(s);
  }
  async run(opts: { eachBatch: (p: EachBatchPayload) => Promise<void> }) {
    this.eachBatch = opts.eachBatch;
  }
  join(assignment: Record<string, number[]>) {
    this.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: assignment } });
  }
  rebalancing() {
    this.emit(EVENTS.REBALANCING, { payload: {} });
  }
  /** kafkajs hands a fetched batch over; resolves when eachBatch returns (kafkajs may then fetch on). */
  fetch(partition: number, from: number, count: number, valueBytes = 10): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => ({
      offset: String(from + i),
      key: null,
      value: Buffer.alloc(valueBytes, 'x'),
      timestamp: '1700000000000',
      headers: {},
      attributes: 0,
    }));
    const batch = {
      topic: 't',
      partition,
      highWatermark: String(from + count + 100),
      messages,
      fetchedOffset: String(from),
      lastOffset: () => String(from + count - 1),
    };
    return this.eachBatch!({
      batch,
      heartbeat: async () => void this.heartbeats++,
      resolveOffset: () => undefined,
    } as unknown as EachBatchPayload);
  }
}

interface Handled {
  batch: FetchedBatch;
  control: BatchControl;
  release: () => void;
}

async function start() {
  const kafkajs = new ScriptedKafkaJs();
  const kafka = { consumer: () => kafkajs as unknown as Consumer } as unknown as Kafka;
  const consumer = new KafkaJsConsumer(
    kafka,
    { groupId: 'g', maxBytes: 4096 },
    true,
    pino({ level: 'silent' }),
  );
  const events: string[] = [];
  const handled: Handled[] = [];
  /** What the engine does with each batch; by default it takes it whole once released. */
  let onBatch = async (batch: FetchedBatch, control: BatchControl, released: Promise<void>) => {
    await released;
    control.resolve(batch.nextOffset);
  };
  const handlers: ConsumerHandlers = {
    onPartitionsAssigned: async (tps: readonly TopicPartitionRef[]) => {
      events.push(`assigned ${tps.map((t) => t.partition).join(',')}`);
    },
    onPartitionsRevoked: async (tps: readonly TopicPartitionRef[]) => {
      events.push(`revoked ${tps.map((t) => t.partition).join(',')}`);
    },
    onBatch: async (batch, control) => {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      handled.push({ batch, control, release });
      events.push(`batch ${batch.partition}@${batch.messages[0]?.offset}`);
      await onBatch(batch, control, released);
      events.push(`done ${batch.partition}@${batch.messages[0]?.offset}`);
    },
    onCrash: (e) => events.push(`crash ${e.message}`),
  };
  await consumer.connect();
  await consumer.run(handlers);
  const setOnBatch = (f: typeof onBatch) => (onBatch = f);
  return { kafkajs, consumer, events, handled, setOnBatch };
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 200 && !cond(); i++) await tick();
  if (!cond()) throw new Error(`never: ${what}`);
}

describe('KafkaJsConsumer', () => {
  it('fetches ahead: eachBatch returns at once while the engine handles batches one at a time, in order', async () => {
    const { kafkajs, events, handled } = await start();
    kafkajs.join({ t: [0, 1] });
    await until(() => events.includes('assigned 0,1'), 'assignment');
    await kafkajs.fetch(0, 0, 5);
    await kafkajs.fetch(1, 0, 5);
    await kafkajs.fetch(0, 5, 5);
    await until(() => handled.length === 1, 'first batch handed over');
    expect(handled.map((h) => h.batch.partition)).toEqual([0]);
    handled[0]!.release();
    await until(() => handled.length === 2, 'second batch');
    handled[1]!.release();
    await until(() => handled.length === 3, 'third batch');
    handled[2]!.release();
    await until(() => events.includes('done 0@5'), 'all done');
    expect(events).toEqual([
      'assigned 0,1',
      'batch 0@0',
      'done 0@0',
      'batch 1@0',
      'done 1@0',
      'batch 0@5',
      'done 0@5',
    ]);
    expect(kafkajs.seeks).toEqual([]);
  });

  it('stops fetching while the queue holds more than fetch.max.bytes', async () => {
    const { kafkajs, events, handled } = await start();
    kafkajs.join({ t: [0] });
    await until(() => events.includes('assigned 0'), 'assignment');
    await kafkajs.fetch(0, 0, 10, 500); // about 5.6 KiB: taken by the engine at once, still held
    await until(() => handled.length === 1, 'first batch handed over');
    let returned = false;
    void kafkajs.fetch(0, 10, 10, 500).then(() => (returned = true));
    // The second big batch exceeds 4096 queued bytes: its eachBatch waits for room.
    await tick();
    expect(returned).toBe(false);
    handled[0]!.release();
    await until(() => handled.length === 2, 'second batch handed over');
    await until(() => returned, 'eachBatch returned once the queue had room');
  });

  it('a batch the engine took only in part is fetched again from there; queued batches of the partition are dropped', async () => {
    const { kafkajs, events, handled, setOnBatch } = await start();
    setOnBatch(async (batch, control, released) => {
      await released;
      control.resolve(batch.fetchedOffset! + 2); // took two records, then stopped (e.g. paused)
    });
    kafkajs.join({ t: [0] });
    await until(() => events.includes('assigned 0'), 'assignment');
    await kafkajs.fetch(0, 0, 5);
    await kafkajs.fetch(0, 5, 5);
    await until(() => handled.length === 1, 'first batch');
    handled[0]!.release();
    await until(() => kafkajs.seeks.length === 1, 'the seek back');
    expect(kafkajs.seeks).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
    await tick();
    expect(handled).toHaveLength(1); // the batch from offset 5 was dropped: it is fetched again
  });

  it('does not undo a seek the engine made itself while handling a batch', async () => {
    const { kafkajs, consumer, events, handled, setOnBatch } = await start();
    setOnBatch(async (_batch, _control, released) => {
      await released;
      consumer.seek({ topic: 't', partition: 0, offset: 0 }); // a rewind (failed flush, context.offset)
    });
    kafkajs.join({ t: [0] });
    await until(() => events.includes('assigned 0'), 'assignment');
    await kafkajs.fetch(0, 3, 5);
    await until(() => handled.length === 1, 'batch');
    handled[0]!.release();
    await until(() => events.includes('done 0@3'), 'done');
    await tick();
    expect(kafkajs.seeks).toEqual([{ topic: 't', partition: 0, offset: '0' }]);
  });

  it('a rebalance announced while a batch is in put: rebalancing() at once, revocation after the batch, then the new assignment', async () => {
    const { kafkajs, events, handled } = await start();
    kafkajs.join({ t: [0, 1] });
    await until(() => events.includes('assigned 0,1'), 'assignment');
    await kafkajs.fetch(0, 0, 5);
    await kafkajs.fetch(1, 0, 5);
    await until(() => handled.length === 1, 'batch in put');
    const inPut = handled[0]!;
    expect(inPut.control.rebalancing()).toBe(false);

    kafkajs.rebalancing();
    await tick();
    // The engine sees it while still in put; nothing is revoked before the batch returns.
    expect(inPut.control.rebalancing()).toBe(true);
    expect(events).not.toContain('revoked 0,1');
    // kafkajs rejoins without waiting: the new assignment arrives while the revocation waits.
    kafkajs.join({ t: [1] });
    await tick();
    expect(events).not.toContain('assigned 1');

    inPut.release();
    await until(() => events.includes('assigned 1'), 'the new assignment');
    expect(events).toEqual(['assigned 0,1', 'batch 0@0', 'done 0@0', 'revoked 0,1', 'assigned 1']);
    // The queued batch of partition 1 was fetched in the old generation: dropped, not handed over.
    await tick();
    expect(handled).toHaveLength(1);
  });

  it('does not queue a batch kafkajs fetched before a rebalance', async () => {
    const { kafkajs, events, handled } = await start();
    kafkajs.join({ t: [0] });
    await until(() => events.includes('assigned 0'), 'assignment');
    await kafkajs.fetch(0, 0, 5);
    await until(() => handled.length === 1, 'batch in put');
    kafkajs.rebalancing();
    // A fetch kafkajs started in the old generation returns now.
    const stale = kafkajs.fetch(0, 5, 5);
    kafkajs.join({ t: [0] });
    handled[0]!.release();
    await stale;
    await until(() => events.filter((e) => e.startsWith('assigned')).length === 2, 'reassignment');
    await tick();
    expect(handled).toHaveLength(1);
    expect(events).toEqual(['assigned 0', 'batch 0@0', 'done 0@0', 'revoked 0', 'assigned 0']);
  });
});
