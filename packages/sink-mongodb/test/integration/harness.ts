import { MongoClient, type Db } from 'mongodb';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';

// What every MongoDB integration test shares: the real servers of test-infra (Kafka, the schema
// registry, FerretDB speaking the MongoDB protocol), a database of its own per test file, and a way to
// run one connector in `sluice standalone`.

export interface MongoIt {
  kafka: KafkaTestClient;
  bootstrapServers: string;
  registryUrl: string;
  mongoUrl: string;
  client: MongoClient;
  db: Db;
  dbName: string;
}

export async function setUpMongoIt(): Promise<MongoIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'mongodb']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  const registryUrl = services['schema-registry']!['url'] as string;
  const mongoUrl = services['mongodb']!['url'] as string;
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  const dbName = uniqueName('it').replace(/-/g, '_');
  return {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl,
    mongoUrl,
    client,
    db: client.db(dbName),
    dbName,
  };
}

export async function tearDownMongoIt(it: MongoIt | undefined): Promise<void> {
  if (!it) return;
  await it.db.dropDatabase().catch(() => undefined);
  await it.client.close();
  await it.kafka.close();
}

/** Worker properties for JSON values without schemas and string keys, unless overridden. */
export function workerProps(it: MongoIt, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'bootstrap.servers': it.bootstrapServers,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'offset.flush.interval.ms': '1000',
    ...extra,
  };
}

/** Connector properties for this sink, reading `topic`, writing to the test's database. */
export function mongoConnector(
  it: MongoIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
) {
  return {
    name,
    'connector.class': 'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.mongo.connection': it.mongoUrl,
    'connect.mongo.db': it.dbName,
    'connect.mongo.kcql': kcql,
    ...extra,
  };
}

export async function runConnector(
  it: MongoIt,
  connector: Record<string, string>,
  worker: Record<string, string> = {},
): Promise<StandaloneWorker> {
  const running = await StandaloneWorker.start({ worker: workerProps(it, worker), connectors: [connector] });
  try {
    await running.waitUntilRunning(connector['name']!);
  } catch (e) {
    await running.kill();
    throw new Error(`${(e as Error).message}\n--- worker output ---\n${running.output()}`);
  }
  return running;
}
