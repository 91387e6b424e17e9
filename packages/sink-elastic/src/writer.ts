import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import type { ErrorClass, ItemFailure, TaskLogger } from '@sluice/core/sink';
import type { ElasticOperation } from './operations.js';

// Writes one batch of operations (the kit's: batch.size actions, max.in.flight batches writing at once
// across puts) as bulk requests cut by action count (batch.size) and body bytes (bulk.max.bytes), one
// after another, and reads every bulk response item by item (the reference only looked at the
// response's error flag and lost rejected items). The kit's pipeline writes the operations of one
// document (index and id) in record order: the last record for an id wins.

export interface ElasticConnection {
  readonly client: Client;
  readonly logger: TaskLogger;
  readonly connectorName: string;
  /** Indices AUTOCREATE created (or found) in this task. */
  readonly created: Set<string>;
}

export interface BulkLimits {
  readonly batchSize: number;
  readonly bulkMaxBytes: number;
  /** Waits before re-sending the items Elasticsearch throttled (429), e.g. [100, 400, 1600] ms. */
  readonly throttleBackoffMs?: readonly number[];
}

/** Re-sends of throttled items within one write, before they count as a transient failure. */
export const THROTTLE_BACKOFF_MS: readonly number[] = [100, 400, 1600];

/** An item Elasticsearch refused, with its HTTP status (which `classifyStatus` reads). */
export class BulkItemError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BulkItemError';
  }
}

const RESOURCE_EXISTS = 'resource_already_exists_exception';

/** Writes everything; resolves with the items refused. A request that fails as a whole rejects. */
export async function writeBulk(
  connection: ElasticConnection,
  operations: readonly ElasticOperation[],
  limits: BulkLimits,
): Promise<ItemFailure[]> {
  if (operations.length === 0) return [];
  try {
    await autoCreate(connection, operations);
    const failures: ItemFailure[] = [];
    for (const chunk of cut(operations, limits.batchSize, limits.bulkMaxBytes)) {
      failures.push(...(await bulkWithBackoff(connection.client, operations, chunk, limits)));
    }
    return failures;
  } catch (e) {
    if (!(e instanceof errors.ElasticsearchClientError)) throw e;
    throw new BulkRequestError(describeError(e), classifyError(e), e);
  }
}

/** A request that failed as a whole, already classified (the client's errors carry the request). */
export class BulkRequestError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorClass,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'BulkRequestError';
  }
}

/** AUTOCREATE: each index once per task, with the mapping the first record's schema gives. */
async function autoCreate(
  connection: ElasticConnection,
  operations: readonly ElasticOperation[],
): Promise<void> {
  for (const operation of operations) {
    if (!operation.autoCreate || connection.created.has(operation.index)) continue;
    const properties = operation.mapping?.() ?? null;
    try {
      await connection.client.indices.create({
        index: operation.index,
        ...(properties && Object.keys(properties).length > 0 ? { mappings: { properties } } : {}),
      });
      connection.logger.info(
        `Connector ${connection.connectorName}: created index ${operation.index}` +
          (properties ? ' with a mapping from the record schema' : ''),
      );
    } catch (e) {
      if (!(e instanceof errors.ResponseError && errorType(e.body) === RESOURCE_EXISTS)) throw e;
    }
    connection.created.add(operation.index);
  }
}

/**
 * One bulk request; the items Elasticsearch throttled (429: its write queue is full) are sent again
 * after a growing wait, a few times, so that a busy cluster slows the sink down instead of failing the
 * batch. What is still throttled after that is a transient failure for the error policy.
 */
async function bulkWithBackoff(
  client: Client,
  operations: readonly ElasticOperation[],
  chunk: readonly number[],
  limits: BulkLimits,
): Promise<ItemFailure[]> {
  let failures = await bulk(client, operations, chunk);
  for (const wait of limits.throttleBackoffMs ?? THROTTLE_BACKOFF_MS) {
    const throttled = failures.filter((f) => (f.error as BulkItemError).status === 429);
    if (throttled.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
    const again = await bulk(
      client,
      operations,
      throttled.map((f) => f.index),
    );
    failures = [...failures.filter((f) => (f.error as BulkItemError).status !== 429), ...again];
  }
  return failures;
}

async function bulk(
  client: Client,
  operations: readonly ElasticOperation[],
  chunk: readonly number[],
): Promise<ItemFailure[]> {
  // The bulk endpoint through the client's transport, which sends a body of bytes as it is (the typed
  // bulk API takes an array, joined into one more string).
  const response = (await client.transport.request({
    method: 'POST',
    path: '/_bulk',
    // Only what is read back: an item's status, and its error when it failed (a tenth of the bytes).
    querystring: { filter_path: 'errors,items.*.status,items.*.error' },
    bulkBody: bulkBody(operations, chunk),
  })) as estypes.BulkResponse;
  if (!response.errors) return [];
  const failures: ItemFailure[] = [];
  response.items.forEach((result, n) => {
    const index = chunk[n]!;
    const op = operations[index]!;
    const outcome = Object.values(result)[0]!;
    const status = outcome.status;
    if (status < 300) return;
    // Deleting a document that is not there leaves the index as the tombstone asks.
    if (op.kind === 'delete' && status === 404) return;
    const error = outcome.error as
      { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } } | undefined;
    const cause = error?.caused_by?.reason ? ` (${error.caused_by.type}: ${error.caused_by.reason})` : '';
    const message =
      `Elasticsearch refused the ${op.kind} of document ${op.id} in index ${op.index}: ` +
      `${error?.type ?? 'error'}: ${error?.reason ?? 'no reason given'}${cause} (status ${status})`;
    failures.push({ index, error: new BulkItemError(message, status) });
  });
  return failures;
}

/** The operations' bodies encoded straight into one buffer of their total size. */
function bulkBody(operations: readonly ElasticOperation[], chunk: readonly number[]): Buffer {
  let size = 0;
  for (const i of chunk) size += operations[i]!.bytes;
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for (const i of chunk) at += body.write(operations[i]!.body, at);
  return body;
}

/** The sink's classify hook: bulk items by status, requests by the client's error types. */
export function classify(error: unknown): ErrorClass | undefined {
  if (error instanceof BulkItemError) return classifyStatus(error.status);
  if (error instanceof BulkRequestError) return error.kind;
  if (error instanceof errors.ElasticsearchClientError) return classifyError(error);
  return undefined;
}

/** An item's or a response's HTTP status as a failure kind. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429 || status >= 500 || status === 408) return 'transient';
  if (status === 401 || status === 403) return 'fatal';
  return 'data';
}

/** A whole request's failure: the client's connection and timeout errors are transient. */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? 0;
    if (status === 400 || status === 404 || status === 413) return 'fatal';
    return classifyStatus(status);
  }
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.RequestAbortedError
  ) {
    return 'transient';
  }
  if (error instanceof errors.ProductNotSupportedError || error instanceof errors.ConfigurationError)
    return 'fatal';
  return 'transient';
}

/** A readable reason for a request-level failure, without the request body. */
export function describeError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const type = errorType(error.body);
    const reason = (error.body as { error?: { reason?: string } } | undefined)?.error?.reason;
    return `Elasticsearch answered ${error.statusCode}${type ? ` ${type}` : ''}${reason ? `: ${reason}` : ''}`;
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    return `cannot reach Elasticsearch: ${error.message} (is it running, and is connect.elastic.port its HTTP port, usually 9200?)`;
  }
  if (error instanceof errors.ElasticsearchClientError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function errorType(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? (error as { type?: string }).type : undefined;
}

/** Indexes of `writes` in bulk requests of at most `maxActions` actions and `maxBytes` body bytes. */
export function cut(writes: readonly ElasticOperation[], maxActions: number, maxBytes: number): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  writes.forEach((w, i) => {
    const size = w.bytes;
    if (current.length > 0 && (current.length >= maxActions || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
