import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, uniqueName, type KafkaIt } from '@sluice/test-utils';

// What every InfluxDB integration test shares: the real servers of test-infra (Kafka, the schema
// registry, InfluxDB 1.8), a database of its own per test file, InfluxQL queries to read points back,
// and this sink's connector properties (runConnector, kafkaTopic… come from @sluice/test-utils).

export interface InfluxIt extends KafkaIt {
  registryUrl: string;
  influxUrl: string;
  database: string;
}

export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export async function setUpInfluxIt(): Promise<InfluxIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'influxdb']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  const it: InfluxIt = {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl: services['schema-registry']!['url'] as string,
    influxUrl: services['influxdb']!['url'] as string,
    database: uniqueName('it').replace(/-/g, '_'),
  };
  await influxQl(it, `CREATE DATABASE "${it.database}"`);
  return it;
}

export async function tearDownInfluxIt(it: InfluxIt | undefined): Promise<void> {
  if (!it) return;
  await influxQl(it, `DROP DATABASE "${it.database}"`).catch(() => undefined);
  await it.kafka.close();
}

/**
 * Runs InfluxQL on the test's database (times as integer nanoseconds, or `epoch` units: a time in ns
 * beyond 2^53 is not exact as a JSON number); returns the first result's series.
 */
export async function influxQl(it: InfluxIt, q: string, epoch: 'ns' | 'ms' = 'ns'): Promise<Series[]> {
  const response = await fetch(`${it.influxUrl}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q, db: it.database, epoch }),
  });
  const body = (await response.json()) as {
    results?: { series?: Series[]; error?: string }[];
    error?: string;
  };
  const error = body.error ?? body.results?.[0]?.error;
  if (!response.ok || error) throw new Error(`InfluxQL ${q}: ${response.status} ${error ?? ''}`);
  return body.results?.[0]?.series ?? [];
}

/** The rows of `SELECT * FROM <measurement>` as objects keyed by column (time in ns). */
export async function points(it: InfluxIt, measurement: string): Promise<Record<string, unknown>[]> {
  const series = await influxQl(it, `SELECT * FROM "${measurement}"`);
  return series.flatMap((s) =>
    s.values.map((row) => Object.fromEntries(s.columns.map((c, i) => [c, row[i]]))),
  );
}

/** Field name → InfluxDB type (integer, float, string, boolean) of a measurement. */
export async function fieldTypes(it: InfluxIt, measurement: string): Promise<Record<string, string>> {
  const series = await influxQl(it, `SHOW FIELD KEYS FROM "${measurement}"`);
  return Object.fromEntries((series[0]?.values ?? []).map(([k, t]) => [k as string, t as string]));
}

/** Connector properties for this sink (1.x keys), reading `topics`, writing to the test's database. */
export function influxConnector(
  it: InfluxIt,
  name: string,
  topics: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    name,
    'connector.class': 'io.lenses.streamreactor.connect.influx.InfluxSinkConnector',
    'tasks.max': '1',
    topics,
    'connect.influx.url': it.influxUrl,
    'connect.influx.db': it.database,
    'connect.influx.kcql': kcql,
    ...extra,
  };
}
