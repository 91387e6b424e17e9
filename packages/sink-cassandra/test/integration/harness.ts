import cassandra from 'cassandra-driver';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, uniqueName, waitFor, type KafkaIt } from '@sluice/test-utils';

// What every Cassandra integration test shares: the real servers of test-infra (Kafka, the schema
// registry, Apache Cassandra 5.0), a keyspace of its own per test file, a driver client to create
// tables and read rows back, and this sink's connector properties (4B form by default).

export interface CassandraIt extends KafkaIt {
  registryUrl: string;
  contactPoint: string;
  localDc: string;
  client: cassandra.Client;
  keyspace: string;
}

export async function setUpCassandraIt(): Promise<CassandraIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'cassandra']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  const registryUrl = services['schema-registry']!['url'] as string;
  const info = services['cassandra']!;
  const contactPoint = (info['contactPoints'] as string[])[0]!;
  const localDc = info['localDataCenter'] as string;
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: localDc,
    encoding: { useBigIntAsLong: true, useBigIntAsVarint: true, map: Map },
  });
  await client.connect();
  const keyspace = uniqueName('it').replace(/-/g, '_');
  await client.execute(
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  return {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl,
    contactPoint,
    localDc,
    client,
    keyspace,
  };
}

export async function tearDownCassandraIt(it: CassandraIt | undefined): Promise<void> {
  if (!it) return;
  await it.client.execute(`DROP KEYSPACE IF EXISTS ${it.keyspace}`).catch(() => undefined);
  await it.client.shutdown();
  await it.kafka.close();
}

/** Connector properties for this sink (the DataStax-driver generation's class), reading `topic`. */
export function cassandraConnector(
  it: CassandraIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const [host, port] = it.contactPoint.split(':') as [string, string];
  return {
    name,
    'connector.class': 'io.lenses.streamreactor.connect.cassandra.CassandraSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.cassandra.contact.points': host,
    'connect.cassandra.port': port,
    'connect.cassandra.load.balancing.local.dc': it.localDc,
    'connect.cassandra.kcql': kcql,
    ...extra,
  };
}

export async function rows(
  it: CassandraIt,
  cql: string,
  params: unknown[] = [],
): Promise<cassandra.types.Row[]> {
  return (await it.client.execute(cql, params, { prepare: params.length > 0 })).rows;
}

export async function count(it: CassandraIt, table: string): Promise<number> {
  const [row] = await rows(it, `SELECT count(*) AS n FROM ${it.keyspace}.${table}`);
  return Number(row!.get('n'));
}

/** Tombstone cells the server read for one row's SELECT, from its query trace. */
export async function tombstonesRead(it: CassandraIt, cql: string, params: unknown[]): Promise<number> {
  const rs = await it.client.execute(cql, params, { prepare: true, traceQuery: true });
  const traceId = rs.info.traceId;
  let total: number | undefined;
  await waitFor(
    async () => {
      const trace = await it.client.metadata.getTrace(traceId).catch(() => null);
      const reads = (trace?.events ?? [])
        .map((e) => /Read \d+ live rows and (\d+) tombstone cells/.exec(String(e.activity)))
        .filter((m): m is RegExpExecArray => m !== null);
      if (reads.length === 0) return false;
      total = reads.reduce((sum, m) => sum + Number(m[1]), 0);
      return true;
    },
    { what: 'the query trace', timeoutMs: 10_000 },
  );
  return total!;
}
