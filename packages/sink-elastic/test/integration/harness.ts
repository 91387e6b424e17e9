import { Client } from '@elastic/elasticsearch';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, uniqueName, type KafkaIt } from '@sluice/test-utils';

// What every Elasticsearch integration test shares: the real servers of test-infra (Kafka, the schema
// registry, Elasticsearch), index names of its own per test (`<prefix>-<unique>`, lower case), and a way
// to build this sink's connector properties (runConnector, kafkaTopic… come from @sluice/test-utils).

export interface ElasticIt extends KafkaIt {
  registryUrl: string;
  esUrl: string;
  es: Client;
  /** Index names created by this file, removed at the end. */
  indices: Set<string>;
}

export async function setUpElasticIt(
  service: 'elasticsearch' | 'elasticsearch7' = 'elasticsearch',
): Promise<ElasticIt> {
  const services = await ensureServices(['kafka', 'schema-registry', service]);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  const esUrl = services[service]!['url'] as string;
  return {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl: services['schema-registry']!['url'] as string,
    esUrl,
    es: new Client({ node: esUrl }),
    indices: new Set(),
  };
}

export async function tearDownElasticIt(it: ElasticIt | undefined): Promise<void> {
  if (!it) return;
  for (const index of it.indices) await it.es.indices.delete({ index: `${index}*` }).catch(() => undefined);
  await it.es.close();
  await it.kafka.close();
}

/** A fresh index name (lower case, as Elasticsearch wants), deleted (with its suffixed variants) at the end. */
export function indexName(it: ElasticIt, prefix: string): string {
  const name = uniqueName(prefix).toLowerCase();
  it.indices.add(name);
  return name;
}

/** Connector properties for this sink, with Stream Reactor's class name, reading `topic`. */
export function elasticConnector(
  it: ElasticIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const url = new URL(it.esUrl);
  return {
    name,
    'connector.class': 'io.lenses.streamreactor.connect.elastic7.ElasticSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.elastic.hosts': url.hostname,
    'connect.elastic.port': url.port,
    'connect.elastic.kcql': kcql,
    ...extra,
  };
}

/** All documents of an index (after a refresh: the sink does not refresh), by id. */
export async function documents(it: ElasticIt, index: string): Promise<Map<string, Record<string, unknown>>> {
  await it.es.indices.refresh({ index });
  const res = await it.es.search<Record<string, unknown>>({ index, size: 1000, query: { match_all: {} } });
  return new Map(res.hits.hits.map((h) => [h._id!, h._source!]));
}

/** Number of documents, 0 while the index does not exist yet. */
export async function count(it: ElasticIt, index: string): Promise<number> {
  try {
    await it.es.indices.refresh({ index });
    return (await it.es.count({ index })).count;
  } catch {
    return 0;
  }
}
