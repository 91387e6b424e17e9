import type { TopicPartition } from './api.js';

// At-least-once bookkeeping. Every fetched offset belongs to exactly one "unit" (a chunk handed to
// put, a record sent to the dead letter queue, a range skipped by the consumer) and units are opened
// in offset order. A unit may be acknowledged in any order; the committable offset of a partition is
// the end of the longest run of acknowledged units from the start, so no offset is committed while an
// earlier one is still in flight.

export interface OffsetUnit {
  readonly first: number;
  /** One past the last offset of the unit. */
  readonly next: number;
  done: boolean;
}

export class PartitionOffsets {
  private units: OffsetUnit[] = [];
  private head = 0;
  private acked: number | null;
  private fetched: number | null;

  constructor(startOffset: number | null = null) {
    this.acked = startOffset;
    this.fetched = startOffset;
  }

  /** Opens a unit for [first, next). Units must be opened in offset order. */
  open(first: number, next: number): OffsetUnit {
    if (this.fetched !== null && first < this.fetched) {
      throw new Error(`Offset ${first} opened after ${this.fetched}: units must be opened in offset order`);
    }
    if (this.acked === null) this.acked = first;
    const unit: OffsetUnit = { first, next, done: false };
    this.units.push(unit);
    this.fetched = next;
    return unit;
  }

  /** Offsets up to `next` need no acknowledgement (e.g. transaction markers, records filtered out). */
  skipTo(next: number): void {
    if (this.fetched !== null && next <= this.fetched) return;
    this.open(this.fetched ?? next, next).done = true;
  }

  /** The next offset to commit: every offset below it is acknowledged. Null before any progress. */
  committable(): number | null {
    while (this.head < this.units.length && this.units[this.head]!.done) {
      this.acked = this.units[this.head]!.next;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.units.length) {
      this.units = this.units.slice(this.head);
      this.head = 0;
    }
    return this.acked;
  }

  /** Offset after the last fetched record (the consumer's position as far as this tracker knows). */
  position(): number | null {
    return this.fetched;
  }

  /** Units not yet acknowledged. */
  inFlight(): number {
    let n = 0;
    for (let i = this.head; i < this.units.length; i++) if (!this.units[i]!.done) n++;
    return n;
  }

  /** Forgets every open unit and restarts at `offset` (a rewind or a seek). */
  reset(offset: number): void {
    this.units = [];
    this.head = 0;
    this.acked = offset;
    this.fetched = offset;
  }
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/** The partitions of one task. */
export class OffsetTracker {
  private readonly partitions = new Map<string, { tp: TopicPartition; offsets: PartitionOffsets }>();

  partition(tp: TopicPartition): PartitionOffsets {
    const key = tpKey(tp);
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { tp: { topic: tp.topic, partition: tp.partition }, offsets: new PartitionOffsets() };
      this.partitions.set(key, entry);
    }
    return entry.offsets;
  }

  has(tp: TopicPartition): boolean {
    return this.partitions.has(tpKey(tp));
  }

  remove(tp: TopicPartition): void {
    this.partitions.delete(tpKey(tp));
  }

  clear(): void {
    this.partitions.clear();
  }

  /** Committable offsets of every partition that made progress. */
  committable(): Map<string, { tp: TopicPartition; offset: number }> {
    const out = new Map<string, { tp: TopicPartition; offset: number }>();
    for (const [key, { tp, offsets }] of this.partitions) {
      const offset = offsets.committable();
      if (offset !== null) out.set(key, { tp, offset });
    }
    return out;
  }

  /** Records read but not acknowledged yet (Kafka Connect's sink-record-active-count, in units). */
  inFlightUnits(): number {
    let n = 0;
    for (const { offsets } of this.partitions.values()) n += offsets.inFlight();
    return n;
  }
}
