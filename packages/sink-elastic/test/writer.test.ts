import { errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { compileRoute, toOperation } from '../src/operations.js';
import type { ElasticOperation } from '../src/operations.js';
import { BulkItemError, classify, classifyError, classifyStatus, cut, writeBulk } from '../src/writer.js';
import { kcql, record } from './records.js';

const route = compileRoute(kcql('INSERT INTO i SELECT * FROM orders'), { pkSeparator: '-', maxInFlight: 2 });
const write = (offset: number, size = 10): ElasticOperation =>
  toOperation(record({ pad: 'x'.repeat(size) }, { kafkaOffset: offset }), route)!;

describe('bulk requests', () => {
  it('are cut by action count', () => {
    const writes = [0, 1, 2, 3, 4].map((o) => write(o));
    expect(cut(writes, 2, 1 << 20)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('are cut by body bytes, and an item larger than the limit goes alone', () => {
    const writes = [write(0, 100), write(1, 100), write(2, 1000), write(3, 100)];
    const one = writes[0]!.bytes;
    expect(cut(writes, 100, one * 2)).toEqual([[0, 1], [2], [3]]);
  });

  it('count UTF-8 bytes, not characters', () => {
    const op = toOperation(record({ name: 'Zoë Ødegård' }), route)!;
    expect(op.bytes).toBe(Buffer.byteLength(op.body));
    expect(op.bytes).toBeGreaterThan(op.body.length);
  });
});

describe('failure kinds', () => {
  it('per item: 429 and 5xx are transient, 401/403 fatal, other 4xx (mapping, version conflict) data', () => {
    expect([429, 500, 503].map(classifyStatus)).toEqual(['transient', 'transient', 'transient']);
    expect([401, 403].map(classifyStatus)).toEqual(['fatal', 'fatal']);
    expect([400, 409, 404].map(classifyStatus)).toEqual(['data', 'data', 'data']);
  });

  it('per request: connection errors and timeouts are transient, bad credentials fatal', () => {
    const response = (statusCode: number) =>
      new errors.ResponseError({ statusCode, body: {}, headers: {}, warnings: null, meta: {} as never });
    expect(classifyError(new errors.ConnectionError('refused'))).toBe('transient');
    expect(classifyError(new errors.TimeoutError('slow'))).toBe('transient');
    expect(classifyError(response(503))).toBe('transient');
    expect(classifyError(response(401))).toBe('fatal');
    expect(classify(new BulkItemError('mapping conflict', 400))).toBe('data');
    expect(classify(new BulkItemError('queue full', 429))).toBe('transient');
  });
});

describe('throttled items', () => {
  it('are sent again after a wait, and only those; what stays throttled is reported', async () => {
    const ops = [0, 1, 2].map((o) => write(o));
    const sent: string[][] = [];
    // A stand-in for the client's transport: the first bulk throttles item 1, the second accepts it.
    const bulk = async ({ bulkBody }: { bulkBody: Buffer }) => {
      const ids = bulkBody
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .filter((_, i) => i % 2 === 0)
        .map((l) => (JSON.parse(l) as { index: { _id: string } }).index._id);
      sent.push(ids);
      const first = sent.length === 1;
      return {
        errors: first,
        items: ids.map((id) => ({ index: { status: first && id === 'orders-2-1' ? 429 : 201 } })),
      };
    };
    const client = { transport: { request: bulk }, indices: {} };
    const connection = { client, logger: console, connectorName: 'c', created: new Set<string>() } as never;
    const failures = await writeBulk(connection, ops, {
      batchSize: 10,
      bulkMaxBytes: 1 << 20,
      throttleBackoffMs: [1],
    });
    expect(failures).toEqual([]);
    expect(sent).toEqual([['orders-2-0', 'orders-2-1', 'orders-2-2'], ['orders-2-1']]);

    sent.length = 0;
    const stuck = {
      ...client,
      transport: {
        request: async (req: { bulkBody: Buffer }) => {
          const res = await bulk(req);
          return { errors: true, items: res.items.map(() => ({ index: { status: 429 } })) };
        },
      },
    };
    const still = await writeBulk({ ...(connection as object), client: stuck } as never, ops.slice(0, 1), {
      batchSize: 10,
      bulkMaxBytes: 1 << 20,
      throttleBackoffMs: [1, 1],
    });
    expect(still.map((f) => f.index)).toEqual([0]);
    expect(classify(still[0]!.error)).toBe('transient');
    expect(sent).toHaveLength(3);
  });
});
