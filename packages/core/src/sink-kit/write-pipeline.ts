import type { OffsetMap, SinkRecord, TopicPartition } from '../sink/api.js';
import { tpKey } from '../sink/offset-tracker.js';
import { InFlightWindow } from './in-flight.js';

// The write pipeline across puts, the way Kafka Connect sinks overlap fetching with writing: put() hands
// batches to a bounded window and returns once they are started (it waits while the window is full:
// the back-pressure), and preCommit releases, per partition, only the offsets below the first record
// whose writes are not all acknowledged. Two pieces, kept apart:
// - WritePipeline: the window, plus ordering — a batch that writes a key (a document id, a series
//   point) an earlier batch still writes starts only once that one settled, so the same key is never
//   written out of order by concurrent batches;
// - AcknowledgedOffsets: per partition, the records handed to writes in offset order and how many of
//   each record's writes are outstanding.

/** A record whose writes were handed to the pipeline; acknowledged when `outstanding` is back to 0. */
export interface RecordTicket {
  readonly offset: number;
  outstanding: number;
}

/** A bounded window of batch writes, with writes of the same key kept in submission order. */
export class WritePipeline<T> {
  private readonly window: InFlightWindow;
  private readonly lastWrite = new Map<unknown, Promise<void>>();
  private settled: T[] = [];

  constructor(maxInFlightBatches: number) {
    this.window = new InFlightWindow(maxInFlightBatches);
  }

  /** Batches started and not settled (waiting for an earlier write of one of their keys included). */
  get inFlight(): number {
    return this.window.size;
  }

  /**
   * Waits for room in the window, then starts `write` once the earlier writes of any of `keys` settled.
   * `write` must not reject: its result (failures included) is collected by `takeSettled`.
   */
  async submit(keys: readonly unknown[], write: () => Promise<T>): Promise<void> {
    await this.window.submit(() => {
      const before = new Set<Promise<void>>();
      for (const key of keys) {
        const earlier = this.lastWrite.get(key);
        if (earlier) before.add(earlier);
      }
      const run = async (): Promise<void> => {
        if (before.size > 0) await Promise.all(before);
        const result = await write();
        // Not `this.settled.push(await …)`: that would read the array before takeSettled replaced it.
        this.settled.push(result);
      };
      const done = run();
      for (const key of keys) this.lastWrite.set(key, done);
      return done.finally(() => {
        for (const key of keys) if (this.lastWrite.get(key) === done) this.lastWrite.delete(key);
      });
    });
  }

  /** The results of the writes settled since the last call, in the order they settled. */
  takeSettled(): T[] {
    const out = this.settled;
    this.settled = [];
    return out;
  }

  /** Resolves when every write started so far settled. */
  async drain(): Promise<void> {
    await this.window.drain();
  }
}

interface PartitionLedger {
  readonly tp: TopicPartition;
  tickets: RecordTicket[];
  head: number;
  /** The highest offset handed to put. */
  highest: number;
  /**
   * After a rewind to this offset (null: none pending): records beyond `highest` were fetched before the
   * seek and are dropped, because they come again after it; a record at or below `highest` is the
   * first one after the seek.
   */
  rewoundTo: number | null;
}

/** Per partition: which records handed to writes are acknowledged, and so which offsets may be committed. */
export class AcknowledgedOffsets {
  private readonly partitions = new Map<string, PartitionLedger>();
  /** The ledger of the last record seen: records come in runs of one partition. */
  private last: PartitionLedger | null = null;

  /** False for a record fetched before a pending rewind of its partition took effect (it comes again). */
  admit(record: SinkRecord): boolean {
    const ledger = this.ledger(record);
    if (ledger.rewoundTo !== null) {
      if (record.kafkaOffset > ledger.highest) return false;
      ledger.rewoundTo = null;
    }
    ledger.highest = Math.max(ledger.highest, record.kafkaOffset);
    return true;
  }

  /** A ticket for a record with writes in the pipeline (records are tracked in offset order). */
  track(record: SinkRecord): RecordTicket {
    const ticket: RecordTicket = { offset: record.kafkaOffset, outstanding: 0 };
    this.ledger(record).tickets.push(ticket);
    return ticket;
  }

  /**
   * `offsets` (what put() accepted) capped, per partition, at the first record not acknowledged: every
   * record below the returned offset was acknowledged or handled by the error policy.
   */
  committable(offsets: OffsetMap): OffsetMap {
    const out: OffsetMap = new Map();
    for (const [key, entry] of offsets) {
      const ledger = this.partitions.get(key);
      const limit = ledger ? this.firstUnacknowledged(ledger) : null;
      out.set(key, limit === null || limit >= entry.offset ? entry : { tp: entry.tp, offset: limit });
    }
    return out;
  }

  /**
   * Forgets what is tracked: the partitions are read again from the returned offsets (the first record
   * not acknowledged); records that arrive before that seek took effect are not admitted.
   */
  rewindUnacknowledged(): { tp: TopicPartition; offset: number }[] {
    const rewinds: { tp: TopicPartition; offset: number }[] = [];
    for (const ledger of this.partitions.values()) {
      const offset = this.firstUnacknowledged(ledger);
      ledger.tickets = [];
      ledger.head = 0;
      if (offset === null) continue;
      ledger.rewoundTo = offset;
      rewinds.push({ tp: ledger.tp, offset });
    }
    return rewinds;
  }

  /** Partitions closed (revoked or the task stopping): nothing of them is tracked any more. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.partitions.delete(tpKey(tp));
    this.last = null;
  }

  private ledger(record: SinkRecord): PartitionLedger {
    const last = this.last;
    if (last && last.tp.partition === record.kafkaPartition && last.tp.topic === record.topic) return last;
    const key = tpKey({ topic: record.topic, partition: record.kafkaPartition });
    let ledger = this.partitions.get(key);
    if (!ledger) {
      ledger = {
        tp: { topic: record.topic, partition: record.kafkaPartition },
        tickets: [],
        head: 0,
        highest: -1,
        rewoundTo: null,
      };
      this.partitions.set(key, ledger);
    }
    this.last = ledger;
    return ledger;
  }

  private firstUnacknowledged(ledger: PartitionLedger): number | null {
    if (ledger.rewoundTo !== null) return ledger.rewoundTo;
    const { tickets } = ledger;
    while (ledger.head < tickets.length && tickets[ledger.head]!.outstanding === 0) ledger.head++;
    // Acknowledged tickets are dropped in bulk, not one shift at a time.
    if (ledger.head > 1024 && ledger.head * 2 > tickets.length) {
      ledger.tickets = tickets.slice(ledger.head);
      ledger.head = 0;
    }
    return ledger.head < ledger.tickets.length ? ledger.tickets[ledger.head]!.offset : null;
  }
}
