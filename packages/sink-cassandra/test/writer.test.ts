import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { prepareRow, type RowOperation } from '../src/operations.js';
import { CassandraWriter } from '../src/writer.js';
import { record, route } from './records.js';

// The writer against a fake driver client: which statements and batches it sends, and what it does
// with the errors the real driver raises.

const { dataTypes, responseErrorCodes } = cassandra.types;
const col = (name: string, code: number) => ({ name, type: { code } });

interface Sent {
  kind: 'execute' | 'batch';
  queries: { query: string; params: unknown[] }[];
}

function fakeClient(fail: (queries: { query: string; params: unknown[] }[]) => Error | null = () => null) {
  const sent: Sent[] = [];
  const table = {
    columns: [
      col('id', dataTypes.int),
      col('line', dataTypes.int),
      col('qty', dataTypes.int),
      col('Note', dataTypes.text),
    ],
    partitionKeys: [col('id', dataTypes.int)],
    clusteringKeys: [col('line', dataTypes.int)],
  };
  const client = {
    async execute(query: string, params: unknown[] = []) {
      if (query.startsWith('SELECT keyspace_name')) return { rows: [{ get: () => 'ks' }] };
      if (query.startsWith('SELECT table_name')) return { rows: [{ get: () => 'lines' }] };
      const error = fail([{ query, params }]);
      if (error) throw error;
      sent.push({ kind: 'execute', queries: [{ query, params }] });
      return { rows: [] };
    },
    async batch(queries: { query: string; params: unknown[] }[]) {
      const error = fail(queries);
      if (error) throw error;
      sent.push({ kind: 'batch', queries });
      return { rows: [] };
    },
    metadata: { getTable: async () => table },
  };
  return { client: client as unknown as cassandra.Client, sent };
}

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const writer = (client: cassandra.Client, maxBatchSize = 64) =>
  new CassandraWriter(client, { connectorName: 'cass', maxConcurrent: 4, maxBatchSize, logger });

const r = route('INSERT INTO ks.lines SELECT id, line, qty, note FROM orders');
const ops = (...values: object[]): RowOperation[] =>
  values.map((v, i) =>
    prepareRow(record(JSON.stringify(v), { kafkaOffset: i }), r, { connectorName: 'cass' })!,
  );

describe('CassandraWriter', () => {
  it('sends rows of one partition as one unlogged batch, in order with increasing write times; others alone', async () => {
    const { client, sent } = fakeClient();
    const refused = await writer(client).write(
      ops(
        { id: 1, line: 1, qty: 1 },
        { id: 2, line: 1, qty: 2 },
        { id: 1, line: 2, qty: 3 },
        { id: 1, line: 1, qty: 4 },
      ),
    );
    expect(refused).toEqual([]);
    const batch = sent.find((s) => s.kind === 'batch')!;
    expect(batch.queries.map((q) => q.params.slice(0, 3))).toEqual([
      [1, 1, 1],
      [1, 2, 3],
      [1, 1, 4],
    ]);
    const times = batch.queries.map((q) => q.params.at(-1) as bigint);
    expect(times[0]! < times[1]! && times[1]! < times[2]!).toBe(true);
    expect(sent.filter((s) => s.kind === 'execute').map((s) => s.queries[0]!.params.slice(0, 3))).toEqual([
      [2, 1, 2],
    ]);
    expect(batch.queries[0]!.query).toBe(
      'INSERT INTO "ks"."lines" ("id", "line", "qty", "Note") VALUES (?, ?, ?, ?) USING TIMESTAMP ?',
    );
    // null note: unset, not null.
    expect(batch.queries[0]!.params[3]).toBe(cassandra.types.unset);
  });

  it('cuts a partition into batches of max.batch.size', async () => {
    const { client, sent } = fakeClient();
    await writer(client, 2).write(ops({ id: 1, line: 1 }, { id: 1, line: 2 }, { id: 1, line: 3 }));
    expect(sent.map((s) => [s.kind, s.queries.length])).toEqual([
      ['batch', 2],
      ['execute', 1],
    ]);
  });

  it('a batch Cassandra refuses as invalid is replayed row by row: only the bad row is refused', async () => {
    const invalid = new cassandra.errors.ResponseError(responseErrorCodes.invalid, 'Invalid value for qty');
    const { client, sent } = fakeClient((qs) => (qs.some((q) => q.params[2] === 666) ? invalid : null));
    const refused = await writer(client).write(
      ops({ id: 1, line: 1, qty: 1 }, { id: 1, line: 2, qty: 666 }, { id: 1, line: 3, qty: 3 }),
    );
    expect(refused.map((x) => [x.index, x.source])).toEqual([[1, 'driver']]);
    expect(refused[0]!.error.message).toMatch(
      /offset 1: writing to ks.lines: Cassandra refused the write: Invalid value for qty \(invalid\)/,
    );
    expect(sent.flatMap((s) => s.queries.map((q) => q.params[1]))).toEqual([1, 3]);
  });

  it('values that do not convert, and rows without their primary key, are refused before sending', async () => {
    const { client, sent } = fakeClient();
    const refused = await writer(client).write(
      ops({ id: 1, line: 1, qty: 'many' }, { id: 1, qty: 2 }, { id: 2, line: 1 }),
    );
    expect(refused.map((x) => [x.index, x.source])).toEqual([
      [0, 'conversion'],
      [1, 'conversion'],
    ]);
    expect(refused[0]!.error.message).toMatch(
      /column "qty" \(int\) from qty: cannot write string 'many' into a int column/,
    );
    expect(refused[1]!.error.message).toMatch(/primary key column "line" has no value/);
    expect(sent).toHaveLength(1);
  });

  it('an outage rejects the whole write (for the error policy)', async () => {
    const down = new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('ECONNREFUSED') });
    const { client } = fakeClient(() => down);
    await expect(writer(client).write(ops({ id: 1, line: 1 }))).rejects.toBe(down);
  });

  it('a tombstone deletes by the full primary key', async () => {
    const { client, sent } = fakeClient();
    const keyed = route('INSERT INTO ks.lines SELECT _key.id AS id, _key.line AS line, qty FROM orders');
    const op = prepareRow(record(null, { key: JSON.stringify({ id: 4, line: 2 }) }), keyed, {
      connectorName: 'cass',
    })!;
    expect(await writer(client).write([op])).toEqual([]);
    expect(sent[0]!.queries[0]!.query).toBe(
      'DELETE FROM "ks"."lines" USING TIMESTAMP ? WHERE "id" = ? AND "line" = ?',
    );
    expect(sent[0]!.queries[0]!.params.slice(1)).toEqual([4, 2]);
  });
});
