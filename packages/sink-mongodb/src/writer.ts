import {
  BSON,
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Db,
  type Document,
  type WriteError,
} from 'mongodb';
import {
  chunk,
  recordError,
  runLimited,
  type DataException,
  type SinkRecord,
  type TaskLogger,
} from '@sluice/core/sink';
import type { MongoOperation } from './operations.js';

// Executes operations as bulk writes: per collection, in batches of the statement's BATCH size, with at
// most `maxInFlight` bulk writes running at once. Batches run unordered (the server may apply them in
// parallel) unless two operations in them share an `_id`, which then run ordered and, across batches,
// one after another, so the last record for a key wins. Per-document failures become record errors
// for the DLQ; a duplicate key on insert is a replay of a document already written and is skipped.

export interface PendingWrite {
  readonly record: SinkRecord;
  readonly collection: string;
  readonly batchSize: number;
  readonly operation: MongoOperation;
}

export interface BadRecord {
  readonly record: SinkRecord;
  readonly error: DataException;
}

export interface MongoWriterOptions {
  readonly connectorName: string;
  readonly maxInFlight: number;
  readonly logger: TaskLogger;
}

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;

export class MongoWriter {
  private readonly created = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly options: MongoWriterOptions,
  ) {}

  /** Writes everything; resolves with the records the server refused. Connection errors reject. */
  async write(writes: readonly PendingWrite[]): Promise<BadRecord[]> {
    const byCollection = new Map<string, PendingWrite[]>();
    for (const w of writes) {
      const list = byCollection.get(w.collection) ?? [];
      list.push(w);
      byCollection.set(w.collection, list);
    }
    const jobs: (() => Promise<BadRecord[]>)[] = [];
    for (const [collection, list] of byCollection) {
      await this.ensureCollection(collection);
      const batches = chunk(list, list[0]!.batchSize);
      if (hasRepeatedIds(list)) {
        jobs.push(async () => {
          const bad: BadRecord[] = [];
          for (const batch of batches)
            bad.push(...(await this.bulk(collection, batch, hasRepeatedIds(batch))));
          return bad;
        });
      } else {
        for (const batch of batches) jobs.push(() => this.bulk(collection, batch, false));
      }
    }
    return (await runLimited(jobs, this.options.maxInFlight)).flat();
  }

  /** Stream Reactor creates a missing collection explicitly; so do we, once per collection and task. */
  private async ensureCollection(name: string): Promise<void> {
    if (this.created.has(name)) return;
    try {
      await this.db.createCollection(name);
      this.options.logger.info(
        `Connector ${this.options.connectorName}: created collection ${this.db.databaseName}.${name}`,
      );
    } catch (e) {
      if (!(e instanceof MongoServerError && e.code === NAMESPACE_EXISTS)) throw e;
    }
    this.created.add(name);
  }

  private async bulk(
    collection: string,
    batch: readonly PendingWrite[],
    ordered: boolean,
  ): Promise<BadRecord[]> {
    const bad: BadRecord[] = [];
    let remaining = batch;
    while (remaining.length > 0) {
      try {
        await this.db.collection(collection).bulkWrite(
          remaining.map((w) => toModel(w.operation)),
          { ordered },
        );
        return bad;
      } catch (e) {
        if (!(e instanceof MongoBulkWriteError) || !hasWriteErrors(e)) throw e;
        const errors = writeErrorsOf(e);
        for (const err of errors) {
          const write = remaining[err.index]!;
          if (err.code === DUPLICATE_KEY && write.operation.kind === 'insert') continue;
          bad.push({ record: write.record, error: this.rejected(write, collection, err) });
        }
        // An ordered bulk stops at its first error: what follows it was not attempted yet.
        remaining = ordered ? remaining.slice(Math.min(...errors.map((err) => err.index)) + 1) : [];
      }
    }
    return bad;
  }

  private rejected(write: PendingWrite, collection: string, err: WriteError): DataException {
    return recordError(
      write.record,
      { connectorName: this.options.connectorName },
      `MongoDB refused the ${write.operation.kind} into ${this.db.databaseName}.${collection}: ${err.errmsg ?? 'unknown error'} (code ${err.code}).`,
    );
  }
}

function toModel(op: MongoOperation): AnyBulkWriteOperation<Document> {
  switch (op.kind) {
    case 'insert':
      return { insertOne: { document: op.document } };
    case 'replace':
      return { replaceOne: { filter: { _id: op.id } as Document, replacement: op.document, upsert: true } };
    case 'delete':
      return { deleteOne: { filter: { _id: op.id } as Document } };
  }
}

function idOf(op: MongoOperation): unknown {
  return op.kind === 'insert' ? op.document['_id'] : op.id;
}

function hasRepeatedIds(writes: readonly PendingWrite[]): boolean {
  const seen = new Set<string>();
  for (const w of writes) {
    const id = idOf(w.operation);
    if (id === undefined) continue;
    const key = BSON.EJSON.stringify({ id }, { relaxed: false });
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function hasWriteErrors(e: MongoBulkWriteError): boolean {
  return writeErrorsOf(e).length > 0;
}

function writeErrorsOf(e: MongoBulkWriteError): WriteError[] {
  const errors = e.writeErrors as WriteError | WriteError[] | undefined;
  if (!errors) return [];
  return Array.isArray(errors) ? errors : [errors];
}
