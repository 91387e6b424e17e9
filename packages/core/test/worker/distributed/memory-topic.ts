import type {
  LogRecord,
  LogWriter,
  OutgoingRecord,
  TopicLog,
} from '../../../src/worker/distributed/internal-kafka.js';

interface Reader {
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

  open = (onRecords: (r: readonly LogRecord[]) => void): TopicLog => {
    const reader = { delivered: 0, onRecords };
    this.readers.push(reader);
    const read = async () => this.deliverTo(reader);
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
    const batch = this.records.slice(reader.delivered);
    reader.delivered = this.records.length;
    if (batch.length > 0) reader.onRecords(batch);
  }
}
