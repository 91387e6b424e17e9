import type {
  LogRecord,
  LogWriter,
  OutgoingRecord,
  TopicLog,
} from '../../../src/worker/distributed/internal-kafka.js';

/** Holds a reader back: while `paused`, it is handed nothing (a worker behind on the topic). */
export interface ReaderControl {
  paused: boolean;
}

interface Reader {
  control?: ReaderControl;
  delivered: number;
  onRecords: (r: readonly LogRecord[]) => void;
}

/**
 * An in-memory internal topic: writers append; each reader is handed the records it has not seen on
 * readToEnd, or, with `live`, soon after every write (as a running consumer would).
 */
export class MemoryTopic {
  readonly records: LogRecord[] = [];
  private readonly readers: Reader[] = [];

  constructor(private readonly live = false) {}

  open = (onRecords: (r: readonly LogRecord[]) => void, control?: ReaderControl): TopicLog => {
    const reader: Reader = { delivered: 0, onRecords, ...(control ? { control } : {}) };
    this.readers.push(reader);
    // A paused reader makes no progress, yet takes some time to find that out, as a real one would.
    const read = async () =>
      reader.control?.paused ? new Promise<void>((r) => setTimeout(r, 10)) : this.deliverTo(reader);
    return { start: read, readToEnd: read, stop: async () => undefined };
  };

  writer(): LogWriter & { sent: OutgoingRecord[][] } {
    const sent: OutgoingRecord[][] = [];
    return {
      sent,
      send: async (records) => {
        sent.push([...records]);
        this.append(records);
      },
      close: async () => undefined,
    };
  }

  append(records: readonly OutgoingRecord[]): void {
    for (const r of records)
      this.records.push({ key: r.key, value: r.value, partition: 0, offset: this.records.length });
    if (this.live) setImmediate(() => this.deliver());
  }

  /** Every reader reads to the end. */
  deliver(): void {
    for (const reader of this.readers) this.deliverTo(reader);
  }

  private deliverTo(reader: Reader): void {
    if (reader.control?.paused) return;
    const batch = this.records.slice(reader.delivered);
    reader.delivered = this.records.length;
    if (batch.length > 0) reader.onRecords(batch);
  }
}
