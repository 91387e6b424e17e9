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
// replay of a document already written and counts as written; a duplicate on another unique index is a
// conflict (a data error).

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
        const replays = await this.replays(collection, remaining, errors);
        for (const err of errors) {
          if (replays.has(err)) continue;
          failures.push({ index: offset + err.index, error: this.refused(remaining[err.index]!, err) });
        }
        // An ordered bulk stops at its first error: what follows it was not attempted yet.
        offset = ordered ? offset + Math.min(...errors.map((err) => err.index)) + 1 : operations.length;
      }
    }
    return failures;
  }

  /**
   * The duplicate-key errors of inserts that are a duplicate on `_id` (a replay of a document already
   * written), not on a unique secondary index (a conflict). The server names the index; servers that do
   * not (FerretDB) are asked whether a document with that `_id` exists.
   */
  private async replays(
    collection: string,
    operations: readonly MongoOperation[],
    errors: readonly WriteError[],
  ): Promise<Set<WriteError>> {
    const replays = new Set<WriteError>();
    const unknown: WriteError[] = [];
    for (const err of errors) {
      const op = operations[err.index]!;
      if (op.kind !== 'insert' || err.code !== DUPLICATE_KEY || op.document['_id'] === undefined) continue;
      const onId = duplicateOnId(err);
      if (onId === undefined) unknown.push(err);
      else if (onId) replays.add(err);
    }
    if (unknown.length === 0) return replays;
    const idOf = (err: WriteError) => (operations[err.index] as { document: Document }).document['_id'];
    const found = await this.db
      .collection(collection)
      .find({ _id: { $in: unknown.map(idOf) } } as Document, { projection: { _id: 1 } })
      .toArray();
    // Relaxed EJSON: the server matches numbers across BSON types (Long 1 finds int32 1), so must we.
    const key = (id: unknown) => BSON.EJSON.stringify({ id }, { relaxed: true });
    const existing = new Set(found.map((d) => key(d['_id'])));
    for (const err of unknown) if (existing.has(key(idOf(err)))) replays.add(err);
    return replays;
  }

  private refused(op: MongoOperation, err: WriteError): DocumentRefused {
    const what = op.kind === 'set' ? 'update' : op.kind;
    return new DocumentRefused(
      `MongoDB refused the ${what} into ${this.db.databaseName}.${op.collection}: ${err.errmsg ?? 'unknown error'} (code ${err.code}).`,
      err.code,
    );
  }
}

/** Whether a duplicate-key error is on the `_id` index, from what the server says; undefined when it does not say. */
function duplicateOnId(err: WriteError): boolean | undefined {
  const raw = (err.err ?? err) as { keyPattern?: Record<string, unknown> };
  if (raw.keyPattern) return Object.keys(raw.keyPattern).join() === '_id';
  const index = /index: (\S+)/.exec(err.errmsg ?? '');
  return index ? index[1] === '_id_' : undefined;
}

const ejson = (id: unknown) => BSON.EJSON.stringify({ id }, { relaxed: false });

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
  return id === undefined ? null : `${collection}\u0000${ejson(id)}`;
}

function writeErrorsOf(e: MongoBulkWriteError): WriteError[] {
  const errors = e.writeErrors as WriteError | WriteError[] | undefined;
  if (!errors) return [];
  return Array.isArray(errors) ? errors : [errors];
}
