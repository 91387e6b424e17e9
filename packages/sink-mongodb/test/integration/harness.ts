import { MongoClient, type Db } from 'mongodb';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, uniqueName, type KafkaIt } from '@sluice/test-utils';

// What every MongoDB integration test shares: the real servers of test-infra (Kafka, the schema
// registry, FerretDB speaking the MongoDB protocol), a database of its own per test file, and a way to
// build this sink's connector properties (runConnector, kafkaTopic… come from @sluice/test-utils).

export interface MongoIt extends KafkaIt {
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
