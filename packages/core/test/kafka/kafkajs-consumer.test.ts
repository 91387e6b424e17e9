import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { KafkaJsConsumer } from '../../src/kafka/kafkajs/consumer.js';
import { beforeJoining } from '../../src/kafka/kafkajs/join-hook.js';
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
  HEARTBEAT: 'consumer.heartbeat',
  REBALANCING: 'consumer.rebalancing',
  CRASH: 'consumer.crash',
};

/** A kafkajs Consumer whose fetches the test makes, one eachBatch call at a time. */
class ScriptedKafkaJs extends EventEmitter {
  readonly events = EVENTS;
  readonly seeks: { topic: string; partition: number; offset: string }[] = [];
  eachBatch: ((p: EachBatchPayload) => Promise<void>) | null = null;
  heartbeats = 0;
  /** What the coordinator answers the next heartbeats: nothing (alive), or an error such as UNKNOWN_MEMBER_ID. */
  heartbeatAnswer: Error | null = null;
  readonly commits: string[] = [];
  async connect() {}
  async subscribe() {}
  async disconnect() {}
  async commitOffsets(offsets: { partition: number; offset: string }[]) {
    this.commits.push(...offsets.map((o) => `${o.partition}@${o.offset}`));
  }
  /** kafkajs' heartbeat: HEARTBEAT is emitted only when the coordinator answered without error. */
  async heartbeat() {
    this.heartbeats++;
    if (this.heartbeatAnswer) throw this.heartbeatAnswer;
    this.emit(EVENTS.HEARTBEAT, { payload: {} });
  }
  pause() {}
  resume() {}
  seek(s: { topic: string; partition: number; offset: string }) {
    this.seeks.push(s);
  }
  async run(opts: { eachBatch: (p: EachBatchPayload) => Promise<void> }) {
    this.eachBatch = opts.eachBatch;
  }
  /** The partition assigners kafkajs was given, made as kafkajs makes them. */
  assigners: object[] = [];
  /** What kafkajs sent the coordinator, in order, next to the test's events. */
  readonly sent: string[] = [];
  configure(config: ConsumerConfig) {
    this.assigners = (config.partitionAssigners ?? []).map((make) =>
      make({ cluster: null as never, groupId: config.groupId, logger: null as never }),
    );
  }
  join(assignment: Record<string, number[]>, memberId = 'member-1') {
    this.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: assignment, memberId } });
  }
  /**
   * kafkajs' ConsumerGroup#joinAndSync as join-hook.ts wraps it: the consumer's before-join callback,
   * then JoinGroup (with `memberId` null after UNKNOWN_MEMBER_ID), then the new assignment.
   */
  async rejoin(assignment: Record<string, number[]>, memberId: string | null, events: string[]) {
    await beforeJoining({ assigners: this.assigners, memberId, heartbeat: () => this.heartbeat() });
    events.push('JoinGroup sent');
    this.join(assignment, memberId ?? 'member-2');
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
      heartbeat: () => this.heartbeat(),
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
  const kafka = {
    consumer: (config: ConsumerConfig) => {
      kafkajs.configure(config);
      return kafkajs as unknown as Consumer;
    },
  } as unknown as Kafka;
  const consumer = new KafkaJsConsumer(
    kafka,
    { groupId: 'g', maxBytes: 4096, sessionTimeout: SESSION_MS, heartbeatInterval: HEARTBEAT_MS },
    true,
    pino({ level: 'silent' }),
  );
  const events: string[] = [];
  const handled: Handled[] = [];
  /** What the engine's commit on revocation got: 'committed' or the error's message. */
  const revokeCommits: string[] = [];
  /** Until when the coordinator's confirmations held, as reported to the handlers. */
  const confirmations: number[] = [];
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
      // The engine commits what it acknowledged before it lets the partitions go.
      await consumer.commit(tps.map((t) => ({ ...t, offset: 1 }))).then(
        () => revokeCommits.push('committed'),
        (e: Error) => revokeCommits.push(e.message),
      );
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
    onSessionConfirmed: (expiresAt) => confirmations.push(expiresAt),
  };
  await consumer.connect();
  await consumer.run(handlers);
  const setOnBatch = (f: typeof onBatch) => (onBatch = f);
  return { kafkajs, consumer, events, handled, setOnBatch, revokeCommits, confirmations };
}

const SESSION_MS = 6000;
const HEARTBEAT_MS = 1000;

/** UNKNOWN_MEMBER_ID as kafkajs throws it: the coordinator removed the member when its session expired. */
function unknownMember(): Error {
  return Object.assign(new Error('The coordinator is not aware of this member'), {
    type: 'UNKNOWN_MEMBER_ID',
  });
}

/** The process was frozen (SIGSTOP) for `ms`: only the wall clock moves; timers are not faked. */
function freezeFor(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  vi.setSystemTime(Date.now() + ms);
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

  it('heartbeats itself after queuing a batch once the interval passed: a rebalance is revoked, committed, then handed to kafkajs', async () => {
    const { kafkajs, events, revokeCommits, setOnBatch } = await start();
    setOnBatch(async (batch, control) => control.resolve(batch.nextOffset));
    kafkajs.join({ t: [0] });
    await until(() => events.includes('assigned 0'), 'assignment');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    vi.setSystemTime(Date.now() + HEARTBEAT_MS);
    kafkajs.heartbeatAnswer = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    // kafkajs rejoins only once eachBatch threw, after the revocation and its commit.
    await expect(kafkajs.fetch(0, 0, 5)).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    expect(kafkajs.heartbeats).toBe(1);
    expect(events).toContain('revoked 0');
    expect(revokeCommits).toEqual(['committed']);
    vi.useRealTimers();
  });

  it('a rebalance kafkajs notices in its own loop: it rejoins only after the batch in put, the revocation and its commit', async () => {
    const { kafkajs, events, handled, revokeCommits } = await start();
    kafkajs.join({ t: [0, 1] });
    await until(() => events.includes('assigned 0,1'), 'assignment');
    await kafkajs.fetch(0, 0, 5);
    await until(() => handled.length === 1, 'batch in put');
    // kafkajs' heartbeat between fetches was answered REBALANCE_IN_PROGRESS: REBALANCING, then joinAndSync.
    kafkajs.rebalancing();
    const rejoined = kafkajs.rejoin({ t: [1] }, 'member-1', events);
    await tick();
    expect(events).not.toContain('JoinGroup sent');
    handled[0]!.release();
    await rejoined;
    await until(() => events.includes('assigned 1'), 'the new assignment');
    // The old generation's commit landed before this member rejoined, while the coordinator accepts it.
    expect(events).toEqual([
      'assigned 0,1',
      'batch 0@0',
      'done 0@0',
      'revoked 0,1',
      'JoinGroup sent',
      'assigned 1',
    ]);
    expect(revokeCommits).toEqual(['committed']);
    expect(kafkajs.commits).toEqual(['0@1', '1@1']);
  });

  it('heartbeats while a long revocation holds the rejoin, so the coordinator keeps the member', async () => {
    const { kafkajs, events, handled, revokeCommits } = await start();
    kafkajs.join({ t: [0] });
    await until(() => events.includes('assigned 0'), 'assignment');
    await kafkajs.fetch(0, 0, 5);
    await until(() => handled.length === 1, 'batch in put');
    kafkajs.rebalancing();
    // Until it rejoins, the coordinator answers its heartbeats so, and keeps it in the group.
    kafkajs.heartbeatAnswer = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const rejoined = kafkajs.rejoin({ t: [0] }, 'member-1', events);
    // The put takes more than two heartbeat intervals.
    const deadline = Date.now() + 2 * HEARTBEAT_MS + 2000;
    while (kafkajs.heartbeats < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(kafkajs.heartbeats).toBeGreaterThanOrEqual(2);
    expect(events).not.toContain('JoinGroup sent');
    handled[0]!.release();
    await rejoined;
    await until(() => events.filter((e) => e === 'assigned 0').length === 2, 'the new assignment');
    expect(events).toEqual([
      'assigned 0',
      'batch 0@0',
      'done 0@0',
      'revoked 0',
      'JoinGroup sent',
      'assigned 0',
    ]);
    // Answered REBALANCE_IN_PROGRESS, the heartbeats still showed the member alive: its commit went out.
    expect(revokeCommits).toEqual(['committed']);
  });

  it('kafkajs rejoining after UNKNOWN_MEMBER_ID in its own loop: revokes first, commits nothing of what it held', async () => {
    const { kafkajs, events, revokeCommits } = await start();
    kafkajs.join({ t: [0, 1] }, 'member-1');
    await until(() => events.includes('assigned 0,1'), 'assignment');
    // kafkajs clears its member id and calls joinAndSync, without a REBALANCING event.
    await kafkajs.rejoin({ t: [1] }, null, events);
    await until(() => events.includes('assigned 1'), 'the new assignment');
    expect(events).toEqual(['assigned 0,1', 'revoked 0,1', 'JoinGroup sent', 'assigned 1']);
    expect(revokeCommits).toEqual([
      expect.stringMatching(/t-0@1, t-1@1 not committed: .*membership was lost/),
    ]);
    expect(kafkajs.commits).toEqual([]);
  });

  it('the first join waits for nothing', async () => {
    const { kafkajs, events } = await start();
    await kafkajs.rejoin({ t: [0] }, null, events);
    await until(() => events.includes('assigned 0'), 'assignment');
    expect(events).toEqual(['JoinGroup sent', 'assigned 0']);
  });

  describe('a member past its session (frozen by SIGSTOP, say)', () => {
    afterEach(() => void vi.useRealTimers());

    it('heartbeats before it queues a fetched batch, and delivers it once the coordinator confirmed the membership', async () => {
      const { kafkajs, events, handled, confirmations } = await start();
      kafkajs.join({ t: [0] });
      await until(() => events.includes('assigned 0'), 'assignment');
      expect(confirmations).toHaveLength(1);
      freezeFor(SESSION_MS + 1000);
      await kafkajs.fetch(0, 0, 5);
      expect(kafkajs.heartbeats).toBe(1);
      // Reported on, for the consumer thread's holder of batches.
      expect(confirmations).toEqual([confirmations[0], Date.now() + SESSION_MS]);
      await until(() => handled.length === 1, 'the batch handed over');
      expect(handled[0]!.control.rebalancing()).toBe(false);
    });

    it('does not queue a batch fetched after the group went on without it: revokes, commits nothing, has kafkajs rejoin', async () => {
      const { kafkajs, events, handled, revokeCommits, confirmations } = await start();
      kafkajs.join({ t: [0, 1] });
      await until(() => events.includes('assigned 0,1'), 'assignment');
      freezeFor(SESSION_MS + 1000);
      kafkajs.heartbeatAnswer = unknownMember();
      // kafkajs gets the answer back from eachBatch, and rejoins as a new member.
      await expect(kafkajs.fetch(0, 0, 5)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
      expect(events).toEqual(['assigned 0,1', 'revoked 0,1']);
      expect(revokeCommits).toEqual([
        expect.stringMatching(/t-0@1, t-1@1 not committed: .*membership was lost/),
      ]);
      expect(kafkajs.commits).toEqual([]);
      await tick();
      expect(handled).toHaveLength(0);
      expect(confirmations).toHaveLength(1);

      // Back in the group: its new partitions are consumed and committed as usual.
      kafkajs.heartbeatAnswer = null;
      kafkajs.join({ t: [1] }, 'member-2');
      await until(() => events.includes('assigned 1'), 'the new assignment');
      await kafkajs.fetch(1, 7, 3);
      await until(() => handled.length === 1, 'a batch of the new assignment');
      expect(handled[0]!.batch.messages[0]!.offset).toBe(7);
    });

    it('holds batches queued before the freeze until it asked; a rebalance answer drops them instead of delivering them', async () => {
      const { kafkajs, consumer, events, handled, revokeCommits } = await start();
      kafkajs.join({ t: [0, 1] });
      await until(() => events.includes('assigned 0,1'), 'assignment');
      await kafkajs.fetch(0, 0, 5);
      await kafkajs.fetch(1, 0, 5);
      await kafkajs.fetch(0, 5, 5);
      await until(() => handled.length === 1, 'first batch in put');
      const inPut = handled[0]!;
      expect(inPut.control.rebalancing()).toBe(false);

      freezeFor(SESSION_MS + 1000);
      kafkajs.heartbeatAnswer = unknownMember();
      // No put starts before the membership is confirmed.
      expect(inPut.control.rebalancing()).toBe(true);
      inPut.release();
      await until(() => events.includes('revoked 0,1'), 'the revocation');
      expect(kafkajs.heartbeats).toBe(1);
      await tick();
      expect(handled).toHaveLength(1);
      expect(events).toEqual(['assigned 0,1', 'batch 0@0', 'done 0@0', 'revoked 0,1']);
      expect(revokeCommits).toEqual([expect.stringMatching(/not committed/)]);
      await expect(consumer.commit([{ topic: 't', partition: 0, offset: 5 }])).rejects.toThrow(
        /t-0@5 not committed/,
      );
      expect(kafkajs.commits).toEqual([]);
    });

    it('hands queued batches over once a heartbeat confirmed it is still a member', async () => {
      const { kafkajs, events, handled } = await start();
      kafkajs.join({ t: [0] });
      await until(() => events.includes('assigned 0'), 'assignment');
      await kafkajs.fetch(0, 0, 5);
      await kafkajs.fetch(0, 5, 5);
      await until(() => handled.length === 1, 'first batch in put');
      freezeFor(SESSION_MS + 1000);
      handled[0]!.release();
      await until(() => handled.length === 2, 'the queued batch, after the heartbeat');
      expect(kafkajs.heartbeats).toBe(1);
      expect(handled[1]!.batch.messages[0]!.offset).toBe(5);
      expect(events).not.toContain('revoked 0');
    });

    it('kafkajs rejoining as a new member on its own: the revocation commits nothing; only the new assignment is committed again', async () => {
      const { kafkajs, consumer, events, revokeCommits } = await start();
      kafkajs.join({ t: [0, 1] }, 'member-1');
      await until(() => events.includes('assigned 0,1'), 'assignment');
      // kafkajs heard UNKNOWN_MEMBER_ID in its own loop and rejoined; it announces only the new assignment.
      kafkajs.join({ t: [1] }, 'member-2');
      await until(() => events.includes('assigned 1'), 'the new assignment');
      expect(events).toEqual(['assigned 0,1', 'revoked 0,1', 'assigned 1']);
      expect(revokeCommits).toEqual([expect.stringMatching(/t-0@1, t-1@1 not committed/)]);
      await consumer.commit([{ topic: 't', partition: 1, offset: 3 }]);
      // Partition 0 is someone else's now: an engine stopping late must not commit what it held of it.
      await expect(consumer.commit([{ topic: 't', partition: 0, offset: 1 }])).rejects.toThrow(
        /t-0@1 not committed/,
      );
      expect(kafkajs.commits).toEqual(['1@3']);
    });
  });
});
