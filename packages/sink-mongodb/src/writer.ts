import {
  BSON,
  MongoBulkWriteError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  type AnyBulkWriteOperation,
  type Db,
  type Document,
  type MongoClient,
  type WriteError,
} from 'mongodb';
import type { ErrorClass, ItemFailure, TaskLogger } from '@sluice/core/sink';
import type { MongoOperation } from './operations.js';

// Bulk writes of one batch (the kit cuts batches per collection at the statement's BATCH size and runs
// up to max.in.flight at once). A batch runs unordered (the server may apply it in parallel) unless two
// of its operations share an `_id`: then ordered. A batch that shares an `_id` with one still being
// written waits for it, so that the last record for a key wins. Per-document failures are returned for
// the kit to classify by code (see classifyMongoError); an insert refused as a duplicate on `_id` is a
// replay of a document already written and counts as written.

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;

/** Server codes that say retrying cannot help any write of the connector: credentials, permissions, names. */
const FATAL_CODES = new Set([
  11, // UserNotFound
  13, // Unauthorized
  18, // AuthenticationFailed
  73, // InvalidNamespace (connect.mongo.db)
  8000, // AtlasError (bad auth on Atlas)
]);

/** Server codes of a store that is unwell for now: network, timeouts, elections, shutdown, throttling. */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  24, // LockTimeout
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  16500, // RequestRateTooLarge (Cosmos DB's MongoDB API)
]);

/** One document the server refused, with its code (classified by classifyMongoError). */
export class DocumentRefused extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'DocumentRefused';
  }
}

/** data / transient / fatal by code; undefined leaves the kit's default (transient) to other errors. */
export function classifyMongoError(error: unknown): ErrorClass | undefined {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return 'transient';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && FATAL_CODES.has(code)) return 'fatal';
  if (typeof code === 'number' && TRANSIENT_CODES.has(code)) return 'transient';
  if (error instanceof DocumentRefused) return 'data';
  return undefined;
}

export class MongoStore {
  private readonly created = new Set<string>();
  /** The write in progress for each `_id` (EJSON text, per collection). */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(
    readonly client: MongoClient,
    readonly db: Db,
    private readonly logger: TaskLogger,
    private readonly connectorName: string,
  ) {}

  async write(operations: readonly MongoOperation[]): Promise<ItemFailure[]> {
    const collection = operations[0]!.collection;
    await this.ensureCollection(collection);
    const ids = operations.map((op) => idKey(collection, op));
    const keyed = ids.filter((id): id is string => id !== null);
    const earlier = [...new Set(keyed.map((id) => this.writing.get(id)).filter((p) => p !== undefined))];
    const done = (async () => {
      await Promise.allSettled(earlier);
      return this.bulk(collection, operations, new Set(keyed).size < keyed.length);
    })();
    for (const id of keyed) this.writing.set(id, done);
    try {
      return await done;
    } finally {
      for (const id of keyed) if (this.writing.get(id) === done) this.writing.delete(id);
    }
  }

  /** Stream Reactor creates a missing collection explicitly; so do we, once per collection and task. */
  private async ensureCollection(name: string): Promise<void> {
    if (this.created.has(name)) return;
    try {
      await this.db.createCollection(name);
      this.logger.info(`Connector ${this.connectorName}: created collection ${this.db.databaseName}.${name}`);
    } catch (e) {
      if (!(e instanceof MongoServerError && e.code === NAMESPACE_EXISTS)) throw e;
    }
    this.created.add(name);
  }

  private async bulk(
    collection: string,
    operations: readonly MongoOperation[],
    ordered: boolean,
  ): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    let offset = 0;
    while (offset < operations.length) {
      const remaining = operations.slice(offset);
      try {
        await this.db.collection(collection).bulkWrite(remaining.map(toModel), { ordered });
        return failures;
      } catch (e) {
        const errors = e instanceof MongoBulkWriteError ? writeErrorsOf(e) : [];
        if (errors.length === 0) throw e;
        for (const err of errors) {
          const op = remaining[err.index]!;
          if (op.kind === 'insert' && err.code === DUPLICATE_KEY && onId(err)) continue;
          failures.push({ index: offset + err.index, error: this.refused(op, err) });
        }
        // An ordered bulk stops at its first error: what follows it was not attempted yet.
        offset = ordered ? offset + Math.min(...errors.map((err) => err.index)) + 1 : operations.length;
      }
    }
    return failures;
  }

  private refused(op: MongoOperation, err: WriteError): DocumentRefused {
    const what = op.kind === 'set' ? 'update' : op.kind;
    return new DocumentRefused(
      `MongoDB refused the ${what} into ${this.db.databaseName}.${op.collection}: ${err.errmsg ?? 'unknown error'} (code ${err.code}).`,
      err.code,
    );
  }
}

/** A duplicate on the `_id` index (a replay), not on a unique secondary index (a conflict). */
function onId(err: WriteError): boolean {
  const raw = (err.err ?? err) as { keyPattern?: Record<string, unknown> };
  const pattern = raw.keyPattern;
  if (pattern) return Object.keys(pattern).join() === '_id';
  return /index: _id_(\s|$)/.test(err.errmsg ?? '');
}

function toModel(op: MongoOperation): AnyBulkWriteOperation<Document> {
  switch (op.kind) {
    case 'insert':
      return { insertOne: { document: op.document } };
    case 'replace':
      return { replaceOne: { filter: { _id: op.id } as Document, replacement: op.document, upsert: true } };
    case 'set':
      return {
        updateOne: { filter: { _id: op.id } as Document, update: { $set: op.document }, upsert: true },
      };
    case 'delete':
      return { deleteOne: { filter: { _id: op.id } as Document } };
  }
}

function idKey(collection: string, op: MongoOperation): string | null {
  const id = op.kind === 'insert' ? op.document['_id'] : op.id;
  return id === undefined ? null : `${collection}\u0000${BSON.EJSON.stringify({ id }, { relaxed: false })}`;
}

function writeErrorsOf(e: MongoBulkWriteError): WriteError[] {
  const errors = e.writeErrors as WriteError | WriteError[] | undefined;
  if (!errors) return [];
  return Array.isArray(errors) ? errors : [errors];
}
