import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAvro, registerAvroSchema } from './avro.js';
import { connectJson, uniqueName, type TestMessage } from './kafka.js';
import { kafkaTopic, range, runConnector, type KafkaIt } from './sink-it.js';
import { StandaloneWorker } from './standalone.js';
import { waitFor } from './wait.js';

// describeSinkConformance(adapter): the scenarios every sink passes (shared/SINK-CHECKLIST.md), against
// the real store through real Kafka and `sluice standalone`. The adapter says how to reach the store,
// what KCQL to write and how to read back what the store holds, in the store's native form. A scenario
// the store cannot support is declared with its reason: it is listed in the output (as a skipped test
// named with the reason), never passed silently.

export const CONFORMANCE_SCENARIOS = [
  'avro-all-types',
  'json-with-schemas',
  'json-schemaless',
  'json-text',
  'replay-after-crash',
  'tombstones',
  'poison-to-dlq',
  'outage-under-retry',
  'docs-example',
  'validate-bad-key',
] as const;
export type ConformanceScenario = (typeof CONFORMANCE_SCENARIOS)[number];

/** Fields of the all-types Avro record a store may be unable to hold (declared with a reason). */
export type AllTypesField = 'price' | 'day' | 'at' | 'raw';

/** The values the all-types record carries, for the adapter to state their native form. */
export interface AllTypesValues {
  readonly id: string;
  readonly i32: number;
  /** Beyond 2^32 (and within 2^53, which avsc encodes exactly). */
  readonly i64: number;
  readonly f32: number;
  /** A whole FLOAT64 (3.0): it must stay a double where the store tells them apart. */
  readonly f64: number;
  readonly flag: boolean;
  readonly text: string;
  readonly raw: Buffer;
  /** Decimal(10, 2). */
  readonly price: { readonly unscaled: bigint; readonly scale: number; readonly text: string };
  /** Date: a day, midnight UTC. */
  readonly day: Date;
  /** Time: milliseconds of day. */
  readonly at: number;
  /** Timestamp. */
  readonly ts: Date;
  readonly tags: readonly string[];
  readonly attrs: Readonly<Record<string, number>>;
  readonly nested: { readonly x: number; readonly label: string };
  readonly note: null;
}

/** The JSON document the three JSON scenarios send. */
export interface JsonValues {
  readonly id: string;
  readonly n: number;
  readonly x: number;
  readonly flag: boolean;
  readonly inner: { readonly s: string };
}
export type JsonKind = 'json-with-schemas' | 'json-schemaless' | 'json-text';

/** Where a scenario writes: a collection, an MQTT topic…; `read` gives what the store holds there now. */
export interface ConformanceTarget {
  /** The KCQL target. */
  readonly name: string;
  read(): Promise<unknown[]>;
  close?(): Promise<void>;
}

export interface ConformanceOutage {
  /** Connector properties pointing at the private instance. */
  readonly connector: Record<string, string>;
  /** A target on the private instance. */
  target(prefix: string): Promise<ConformanceTarget>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export interface SinkConformanceAdapter {
  /** The store, for test names: 'MongoDB (FerretDB)'. */
  readonly store: string;
  /** `connector.class` (a Stream Reactor class name, so that the alias is exercised). */
  readonly connectorClass: string;
  /** The plugin's class name for `/connector-plugins/<name>/config/validate`. */
  readonly pluginName: string;
  readonly kcqlKey: string;
  /** Kafka and the schema registry of test-infra, and whatever the store needs. */
  setUp(): Promise<KafkaIt & { registryUrl: string }>;
  tearDown(): Promise<void>;
  /** Connection properties of the store (without name, topics and KCQL). */
  connection(): Record<string, string>;
  /** A new, unique target; stream stores subscribe here, before anything is produced. */
  target(prefix: string): Promise<ConformanceTarget>;
  /** `INSERT INTO <target> SELECT * FROM <topic>` or a keyed write (`PK id`) when `keyed`. */
  kcql(target: string, topic: string, keyed: boolean): string;
  /** The `id` field of a document read back. */
  idOf(document: unknown): unknown;
  /** The native form the store holds for the all-types record (fields in `unsupportedFields` are not sent). */
  expectedAllTypes(values: AllTypesValues): unknown;
  expectedJson(kind: JsonKind, values: JsonValues): unknown;
  /** Whether a replayed keyed write leaves one document per key (false: a stream, at least once). */
  readonly keyedWrites: boolean;
  /** Tombstones: the connector properties of the sink's setting, and what a tombstone does. */
  readonly tombstones: { readonly props: Record<string, string>; readonly effect: 'delete' | 'ignore' };
  /** A connector for the poison scenario: `good` records arrive, `bad` one goes to the DLQ. */
  poison(target: string, topic: string): { kcql: string; good: string[]; bad: string; error: RegExp };
  /** A private instance of the store to stop for ~20 s (`startPrivateInstance`). */
  outage?(): Promise<ConformanceOutage>;
  /** The Stream Reactor documentation example, unchanged but for host and topic. */
  docsExample(
    target: string,
    topic: string,
  ): {
    connector: Record<string, string>;
    messages: TestMessage[];
    expected: unknown[];
    /** Worker properties the example needs (its converters). */
    worker?: Record<string, string>;
  };
  /** A key with a value the plugin refuses, for `/config/validate`. */
  readonly badKey: { readonly key: string; readonly value: string };
  /** Scenarios this store cannot run, each with the reason. */
  readonly unsupported?: Partial<Record<ConformanceScenario, string>>;
  /** Fields of the all-types record this store cannot hold, each with the reason. */
  readonly unsupportedFields?: Partial<Record<AllTypesField, string>>;
}

export const allTypesValues: AllTypesValues = {
  id: 'all-1',
  i32: 42,
  i64: 2 ** 40 + 1,
  f32: 1.5,
  f64: 3,
  flag: true,
  text: 'héllo, wörld',
  raw: Buffer.from([0, 1, 254, 255]),
  price: { unscaled: -1234567n, scale: 2, text: '-12345.67' },
  day: new Date(Date.UTC(2024, 1, 29)),
  at: ((13 * 60 + 45) * 60 + 30) * 1000 + 250,
  ts: new Date(Date.UTC(2024, 2, 4, 5, 6, 7, 89)),
  tags: ['a', 'b'],
  attrs: { x: 1, y: 2 },
  nested: { x: 2, label: 'in' },
  note: null,
};

export const jsonValues: JsonValues = { id: 'j-1', n: 7, x: 2.5, flag: true, inner: { s: 'a' } };

const AVRO_FIELDS: Record<string, object> = {
  id: { name: 'id', type: 'string' },
  i32: { name: 'i32', type: 'int' },
  i64: { name: 'i64', type: 'long' },
  f32: { name: 'f32', type: 'float' },
  f64: { name: 'f64', type: 'double' },
  flag: { name: 'flag', type: 'boolean' },
  text: { name: 'text', type: 'string' },
  raw: { name: 'raw', type: 'bytes' },
  price: { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
  day: { name: 'day', type: { type: 'int', logicalType: 'date' } },
  at: { name: 'at', type: { type: 'int', logicalType: 'time-millis' } },
  ts: { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  tags: { name: 'tags', type: { type: 'array', items: 'string' } },
  attrs: { name: 'attrs', type: { type: 'map', values: 'long' } },
  nested: {
    name: 'nested',
    type: {
      type: 'record',
      name: 'Nested',
      fields: [
        { name: 'x', type: 'double' },
        { name: 'label', type: 'string' },
      ],
    },
  },
  note: { name: 'note', type: ['null', 'string'], default: null },
};

/** Two's complement big-endian bytes of an Avro decimal. */
function decimalBytes(unscaled: bigint): Buffer {
  let hex = (unscaled < 0n ? (1n << 64n) + unscaled : unscaled).toString(16).padStart(16, '0');
  while (hex.length > 2 && (hex.startsWith('00') || hex.startsWith('ff'))) {
    const next = hex.slice(2);
    if (parseInt(next[0]!, 16) >= 8 !== hex.startsWith('ff')) break;
    hex = next;
  }
  return Buffer.from(hex, 'hex');
}

function avroAllTypes(values: AllTypesValues, skip: ReadonlySet<string>) {
  const fields = Object.entries(AVRO_FIELDS).filter(([name]) => !skip.has(name));
  const schema = {
    type: 'record',
    name: 'AllTypes',
    namespace: 'sluice.conformance',
    fields: fields.map(([, f]) => f),
  };
  const wire: Record<string, unknown> = {
    ...values,
    price: decimalBytes(values.price.unscaled),
    day: Math.round(values.day.getTime() / 86_400_000),
    ts: values.ts.getTime(),
    tags: [...values.tags],
    nested: { ...values.nested },
  };
  for (const name of skip) delete wire[name];
  return { schema, wire };
}

const JSON_SCHEMA = {
  type: 'struct',
  optional: false,
  fields: [
    { field: 'id', type: 'string', optional: false },
    { field: 'n', type: 'int64', optional: false },
    { field: 'x', type: 'double', optional: false },
    { field: 'flag', type: 'boolean', optional: false },
    {
      field: 'inner',
      type: 'struct',
      optional: false,
      fields: [{ field: 's', type: 'string', optional: false }],
    },
  ],
};

const STRING = 'org.apache.kafka.connect.storage.StringConverter';

/** Registers the conformance scenarios of `adapter` (call at the top level of an integration test file). */
export function describeSinkConformance(adapter: SinkConformanceAdapter): void {
  const unsupported = adapter.unsupported ?? {};
  const skipFields = new Set(Object.keys(adapter.unsupportedFields ?? {}));
  let env: KafkaIt & { registryUrl: string };
  const workers: StandaloneWorker[] = [];
  const targets: ConformanceTarget[] = [];

  const declared = [
    ...Object.entries(unsupported).map(([s, why]) => `  - ${s}: ${why}`),
    ...Object.entries(adapter.unsupportedFields ?? {}).map(
      ([f, why]) => `  - avro-all-types field '${f}': ${why}`,
    ),
  ];
  if (declared.length > 0)
    console.log(`Sink conformance, ${adapter.store}: declared unsupported\n${declared.join('\n')}`);

  const scenario = (name: ConformanceScenario, body: () => Promise<void>, timeoutMs = 120_000) => {
    const why = unsupported[name];
    if (why) it.skip(`${name} — unsupported by ${adapter.store}: ${why}`, () => undefined);
    else it(name, body, timeoutMs);
  };

  const target = async (prefix: string) => {
    const t = await adapter.target(prefix);
    targets.push(t);
    return t;
  };
  const connector = (topic: string, kcql: string, extra: Record<string, string> = {}) => ({
    name: uniqueName('conformance'),
    'connector.class': adapter.connectorClass,
    'tasks.max': '1',
    topics: topic,
    ...adapter.connection(),
    [adapter.kcqlKey]: kcql,
    ...extra,
  });
  const run = async (props: Record<string, string>, worker: Record<string, string> = {}) => {
    const w = await runConnector(env, props, worker);
    workers.push(w);
    return w;
  };
  const readUntil = async (t: ConformanceTarget, n: number, timeoutMs = 60_000) => {
    let docs: unknown[] = [];
    await waitFor(
      async () => {
        docs = await t.read();
        return docs.length >= n;
      },
      { what: `${n} records at ${t.name} (have ${docs.length})`, timeoutMs },
    );
    return docs;
  };
  const stopAll = async () => {
    for (const w of workers.splice(0)) await w.stop();
  };

  describe(`sink conformance: ${adapter.store}`, () => {
    beforeAll(async () => {
      env = await adapter.setUp();
    }, 120_000);
    afterAll(async () => {
      await stopAll();
      for (const t of targets) await t.close?.();
      await adapter.tearDown();
    }, 60_000);

    scenario('avro-all-types', async () => {
      const topic = await kafkaTopic(env, 'conf-avro');
      const t = await target('avro');
      const { schema, wire } = avroAllTypes(allTypesValues, skipFields);
      const avro = await registerAvroSchema(env.registryUrl, `${topic}-value`, schema);
      await env.kafka.produce(topic, [{ key: allTypesValues.id, value: encodeAvro(avro, wire) }]);
      await run(connector(topic, adapter.kcql(t.name, topic, false)), {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      });
      const [doc] = await readUntil(t, 1);
      expect(doc).toEqual(adapter.expectedAllTypes(allTypesValues));
      await stopAll();
    });

    const jsonScenario = (kind: JsonKind, worker: Record<string, string>, value: string) =>
      scenario(kind, async () => {
        const topic = await kafkaTopic(env, `conf-${kind}`);
        const t = await target(kind);
        await env.kafka.produce(topic, [{ key: jsonValues.id, value }]);
        await run(connector(topic, adapter.kcql(t.name, topic, false)), worker);
        const [doc] = await readUntil(t, 1);
        expect(doc).toEqual(adapter.expectedJson(kind, jsonValues));
        await stopAll();
      });
    jsonScenario(
      'json-with-schemas',
      { 'value.converter.schemas.enable': 'true' },
      connectJson(JSON_SCHEMA, jsonValues),
    );
    jsonScenario('json-schemaless', {}, JSON.stringify(jsonValues));
    jsonScenario('json-text', { 'value.converter': STRING }, JSON.stringify(jsonValues));

    scenario(
      'replay-after-crash',
      async () => {
        const topic = await kafkaTopic(env, 'conf-replay');
        const t = await target('replay');
        const n = 400;
        await env.kafka.produce(
          topic,
          range(0, n).map((id) => ({ key: String(id), value: JSON.stringify({ id, v: `r${id}` }) })),
        );
        const props = connector(topic, adapter.kcql(t.name, topic, adapter.keyedWrites), {
          'consumer.override.max.poll.records': '50',
          'consumer.override.session.timeout.ms': '6000',
          'consumer.override.heartbeat.interval.ms': '1000',
        });
        const group = `connect-${props.name}`;
        // No offset commit before the crash: everything written so far is written again.
        const first = await StandaloneWorker.start({
          worker: { ...workerBase(env), 'offset.flush.interval.ms': '600000' },
          connectors: [props],
        });
        workers.push(first);
        await readUntil(t, 1);
        await first.kill();
        workers.splice(workers.indexOf(first), 1);
        const before = await env.kafka.committedRecords(group, topic);
        expect(before).toBeLessThan(n);
        await run(props);
        await waitFor(async () => (await env.kafka.committedRecords(group, topic)) === n, {
          what: `offsets of all ${n} records committed`,
          timeoutMs: 90_000,
        });
        // Offsets are committed only after the store acknowledged: everything is there now.
        const ids = (await t.read()).map((d) => Number(adapter.idOf(d))).sort((a, b) => a - b);
        expect([...new Set(ids)]).toEqual(range(0, n));
        if (adapter.keyedWrites) expect(ids).toHaveLength(n);
        await stopAll();
      },
      180_000,
    );

    scenario('tombstones', async () => {
      const topic = await kafkaTopic(env, 'conf-tombstone');
      const t = await target('tombstone');
      const value = (id: string) => JSON.stringify({ id, v: 1 });
      await env.kafka.produce(topic, [
        { key: 'a', value: value('a') },
        { key: 'b', value: value('b') },
      ]);
      const props = connector(topic, adapter.kcql(t.name, topic, true), adapter.tombstones.props);
      const w = await run(props, { 'key.converter': STRING });
      await readUntil(t, 2);
      await env.kafka.produce(topic, [
        { key: 'a', value: null },
        { key: 'c', value: value('c') },
      ]);
      // The tombstone and c may be written in one bulk, applied in any order: wait for the end state.
      const expected = adapter.tombstones.effect === 'delete' ? ['b', 'c'] : ['a', 'b', 'c'];
      let ids: unknown[] = [];
      await waitFor(
        async () => {
          ids = (await t.read()).map((d) => adapter.idOf(d)).sort();
          return JSON.stringify(ids) === JSON.stringify(expected);
        },
        {
          what: `ids ${expected.join(', ')} after the tombstone of a (have ${ids.join(', ')})`,
          timeoutMs: 30_000,
        },
      );
      expect((await w.status(props.name)).tasks[0]!.state).toBe('RUNNING');
      await stopAll();
    });

    scenario('poison-to-dlq', async () => {
      const topic = await kafkaTopic(env, 'conf-poison');
      const t = await target('poison');
      const dlq = uniqueName('conf-dlq');
      const p = adapter.poison(t.name, topic);
      await env.kafka.produce(topic, [
        { value: p.good[0]! },
        { value: p.bad },
        ...p.good.slice(1).map((value) => ({ value })),
      ]);
      const props = connector(topic, p.kcql, {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      });
      const w = await run(props);
      await readUntil(t, p.good.length);
      const dead = await env.kafka.consume(dlq, 1);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.value!.toString()).toBe(p.bad);
      expect(dead[0]!.headers['__connect.errors.topic']).toBe(topic);
      expect(dead[0]!.headers['__connect.errors.offset']).toBe('1');
      expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(p.error);
      expect((await w.status(props.name)).tasks[0]!.state).toBe('RUNNING');
      await stopAll();
    });

    scenario(
      'outage-under-retry',
      async () => {
        const outage = await adapter.outage!();
        try {
          const topic = await kafkaTopic(env, 'conf-outage');
          const t = await outage.target('outage');
          targets.push(t);
          const props = {
            ...connector(topic, adapter.kcql(t.name, topic, adapter.keyedWrites)),
            ...outage.connector,
            [adapter.kcqlKey.replace(/kcql$/, 'error.policy')]: 'RETRY',
            [adapter.kcqlKey.replace(/kcql$/, 'retry.interval')]: '1000',
            [adapter.kcqlKey.replace(/kcql$/, 'max.retries')]: '-1',
          };
          const w = await run(props);
          const produce = (from: number, to: number) =>
            env.kafka.produce(
              topic,
              range(from, to).map((id) => ({ value: JSON.stringify({ id }) })),
            );
          await produce(0, 50);
          await readUntil(t, 50);
          await outage.stop();
          await produce(50, 150);
          const stoppedAt = Date.now();
          await waitFor(() => Date.now() - stoppedAt >= 20_000, {
            what: '20 s of outage',
            timeoutMs: 30_000,
          });
          await outage.start();
          await produce(150, 200);
          // Distinct ids, not rows: a write the store took while the sink saw it fail (a timeout as the
          // store came back) is written again on retry, and a store that stamps points with the time of
          // writing (InfluxDB without WITHTIMESTAMP) keeps both. At-least-once allows that; the wait must
          // not end on the extra rows before the last records arrived.
          let ids = new Set<number>();
          await waitFor(
            async () => {
              ids = new Set((await t.read()).map((d) => Number(adapter.idOf(d))));
              return ids.size >= 200;
            },
            { what: `200 distinct records at ${t.name}`, timeoutMs: 120_000 },
          );
          expect([...ids].sort((a, b) => a - b)).toEqual(range(0, 200));
          expect((await w.status(props.name)).tasks[0]!.state).toBe('RUNNING');
          await stopAll();
        } finally {
          await stopAll();
          await outage.dispose();
        }
      },
      240_000,
    );

    scenario('docs-example', async () => {
      const topic = await kafkaTopic(env, 'conf-docs');
      const t = await target('docs');
      const example = adapter.docsExample(t.name, topic);
      await env.kafka.produce(topic, example.messages);
      await run(example.connector, example.worker);
      expect(await readUntil(t, example.expected.length)).toEqual(example.expected);
      await stopAll();
    });

    scenario('validate-bad-key', async () => {
      const topic = await kafkaTopic(env, 'conf-validate');
      const t = await target('validate');
      const props = connector(topic, adapter.kcql(t.name, topic, false));
      const w = await run(props);
      const response = await fetch(
        `${w.restUrl}/connector-plugins/${encodeURIComponent(adapter.pluginName)}/config/validate`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...props, [adapter.badKey.key]: adapter.badKey.value }),
        },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        error_count: number;
        configs: { value: { name: string; errors: string[] } }[];
      };
      const withErrors = body.configs.filter((c) => c.value.errors.length > 0).map((c) => c.value.name);
      expect(withErrors).toEqual([adapter.badKey.key]);
      expect(body.error_count).toBe(1);
      await stopAll();
    });
  });
}

function workerBase(env: KafkaIt): Record<string, string> {
  return {
    'bootstrap.servers': env.bootstrapServers,
    'key.converter': STRING,
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
}
