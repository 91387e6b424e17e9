import r from 'rethinkdb';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, uniqueName, type KafkaIt } from '@sluice/test-utils';

// What every RethinkDB integration test shares: test-infra's Kafka and schema registry, its RethinkDB
// (the wire-protocol test double unless a real `rethinkdb` is on PATH: `testDouble` says which, and the
// test output names it), a database of its own per test file, and this sink's connector properties.

export interface RethinkIt extends KafkaIt {
  registryUrl: string;
  host: string;
  port: number;
  testDouble: boolean;
  conn: r.Connection;
  db: string;
}

export async function setUpRethinkIt(): Promise<RethinkIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'rethinkdb']);
  const info = services['rethinkdb']!;
  const host = info['host'] as string;
  const port = info['port'] as number;
  const testDouble = info['testDouble'] === true;
  console.info(
    `RethinkDB integration tests run against ${testDouble ? "test-infra's RethinkDB test double (no real rethinkdb on PATH)" : 'a real rethinkdb server'} at ${host}:${port}`,
  );
  const conn = await r.connect({ host, port });
  return {
    kafka: new KafkaTestClient(services['kafka']!['bootstrapServers'] as string),
    bootstrapServers: services['kafka']!['bootstrapServers'] as string,
    registryUrl: services['schema-registry']!['url'] as string,
    host,
    port,
    testDouble,
    conn,
    db: uniqueName('it').replace(/-/g, '_'),
  };
}

export async function tearDownRethinkIt(it: RethinkIt | undefined): Promise<void> {
  if (!it) return;
  await r
    .dbDrop(it.db)
    .run(it.conn)
    .catch(() => undefined);
  await it.conn.close();
  await it.kafka.close();
}

/** Connector properties for this sink, reading `topic`, writing to the test's database. */
export function rethinkConnector(
  it: RethinkIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    name,
    'connector.class': 'com.datamountaineer.streamreactor.connect.rethink.sink.ReThinkSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.rethink.host': it.host,
    'connect.rethink.port': String(it.port),
    'connect.rethink.db': it.db,
    'connect.rethink.kcql': kcql,
    ...extra,
  };
}

/** Every document of a table, sorted by the given field. */
export async function documents(
  it: RethinkIt,
  table: string,
  orderBy = 'id',
): Promise<Record<string, unknown>[]> {
  const cursor = await r.db(it.db).table(table).run(it.conn);
  const docs = (await cursor.toArray()) as Record<string, unknown>[];
  return docs.sort((a, b) => String(a[orderBy]).localeCompare(String(b[orderBy]), 'en', { numeric: true }));
}

export async function count(it: RethinkIt, table: string): Promise<number> {
  try {
    return (await r.db(it.db).table(table).count().run(it.conn)) as number;
  } catch {
    return 0; // not created yet
  }
}
