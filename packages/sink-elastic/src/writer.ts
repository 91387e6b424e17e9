import { errors, type Client } from '@elastic/elasticsearch';
import type { SinkRecord, TaskLogger } from '@sluice/core';
import type { ElasticOperation } from './operations.js';

// Executes operations as bulk requests cut by action count (batch.size) and by body bytes
// (bulk.max.bytes), with at most max.in.flight requests at once, and reads every bulk response item
// by item (the reference only looked at the response's error flag and lost rejected items). When an id
// repeats across requests they run one after another, so the last record for an id wins; within one
// request Elasticsearch applies the actions of one shard in order.

export type FailureKind = 'data' | 'transient' | 'fatal';

export interface PendingWrite {
  readonly record: SinkRecord;
  readonly operation: ElasticOperation;
}

export interface ItemFailure {
  /** Index into the writes passed to `write`. */
  readonly item: number;
  readonly kind: FailureKind;
  readonly status: number;
  /** Names the action, index, id and Elasticsearch's reason. */
  readonly message: string;
}

export interface ElasticWriterOptions {
  readonly batchSize: number;
  readonly bulkMaxBytes: number;
  readonly maxInFlight: number;
  readonly logger: TaskLogger;
  readonly connectorName: string;
}

const RESOURCE_EXISTS = 'resource_already_exists_exception';

export class ElasticWriter {
  private readonly created = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly options: ElasticWriterOptions,
  ) {}

  /**
   * Writes everything; resolves with the items Elasticsearch refused. A request that fails as a whole
   * (server down, timeout, credentials) rejects: `classifyError` says what kind of failure it is.
   */
  async write(writes: readonly PendingWrite[]): Promise<ItemFailure[]> {
    if (writes.length === 0) return [];
    await this.autoCreate(writes);
    const chunks = cut(writes, this.options.batchSize, this.options.bulkMaxBytes);
    const sequential = chunks.length > 1 && idRepeatsAcross(writes, chunks);
    const jobs = chunks.map((chunk) => () => this.bulk(writes, chunk));
    const results = await runLimited(jobs, sequential ? 1 : this.options.maxInFlight);
    return results.flat();
  }

  /** AUTOCREATE: each index once per task, with the mapping the first record's schema gives. */
  private async autoCreate(writes: readonly PendingWrite[]): Promise<void> {
    for (const { operation } of writes) {
      if (!operation.autoCreate || this.created.has(operation.index)) continue;
      const properties = operation.mapping?.() ?? null;
      try {
        await this.client.indices.create({
          index: operation.index,
          ...(properties && Object.keys(properties).length > 0 ? { mappings: { properties } } : {}),
        });
        this.options.logger.info(
          `Connector ${this.options.connectorName}: created index ${operation.index}` +
            (properties ? ' with a mapping from the record schema' : ''),
        );
      } catch (e) {
        if (!(e instanceof errors.ResponseError && errorType(e.body) === RESOURCE_EXISTS)) throw e;
      }
      this.created.add(operation.index);
    }
  }

  private async bulk(writes: readonly PendingWrite[], chunk: readonly number[]): Promise<ItemFailure[]> {
    const response = await this.client.bulk({
      operations: chunk.map((i) => writes[i]!.operation.body.slice(0, -1)),
    });
    if (!response.errors) return [];
    const failures: ItemFailure[] = [];
    response.items.forEach((result, n) => {
      const item = chunk[n]!;
      const op = writes[item]!.operation;
      const outcome = Object.values(result)[0]!;
      const status = outcome.status;
      if (status < 300) return;
      // Deleting a document that is not there leaves the index as the tombstone asks.
      if (op.kind === 'delete' && status === 404 && outcome.result === 'not_found') return;
      const error = outcome.error as
        { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } } | undefined;
      const cause = error?.caused_by?.reason ? ` (${error.caused_by.type}: ${error.caused_by.reason})` : '';
      failures.push({
        item,
        status,
        kind: classifyStatus(status),
        message:
          `Elasticsearch refused the ${op.kind} of document ${op.id} in index ${op.index}: ` +
          `${error?.type ?? 'error'}: ${error?.reason ?? 'no reason given'}${cause} (status ${status})`,
      });
    });
    return failures;
  }
}

/** An item's or a response's HTTP status as a failure kind. */
export function classifyStatus(status: number): FailureKind {
  if (status === 429 || status >= 500 || status === 408) return 'transient';
  if (status === 401 || status === 403) return 'fatal';
  return 'data';
}

/** A whole request's failure: the client's connection and timeout errors are transient. */
export function classifyError(error: unknown): FailureKind {
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
  if (error instanceof errors.ElasticsearchClientError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function errorType(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? (error as { type?: string }).type : undefined;
}

/** Indexes of `writes` in bulk requests of at most `maxActions` actions and `maxBytes` body bytes. */
export function cut(writes: readonly PendingWrite[], maxActions: number, maxBytes: number): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  writes.forEach((w, i) => {
    const size = Buffer.byteLength(w.operation.body);
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

function idRepeatsAcross(writes: readonly PendingWrite[], chunks: readonly number[][]): boolean {
  const seen = new Map<string, number>();
  for (let c = 0; c < chunks.length; c++) {
    for (const i of chunks[c]!) {
      const op = writes[i]!.operation;
      const key = `${op.index}\u0000${op.id}`;
      const at = seen.get(key);
      if (at !== undefined && at !== c) return true;
      seen.set(key, c);
    }
  }
  return false;
}

/** Runs jobs with at most `limit` in flight; rejects with the first failure after the others settled. */
async function runLimited<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < jobs.length && failure === undefined) {
      const i = next++;
      try {
        results[i] = await jobs[i]!();
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
