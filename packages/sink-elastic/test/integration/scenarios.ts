import {
  connectJson,
  encodeAvro,
  kafkaTopic,
  readingAvroSchema,
  registerAvroSchema,
  runConnector,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  count,
  documents,
  elasticConnector,
  indexName,
  setUpElasticIt,
  tearDownElasticIt,
  type ElasticIt,
} from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → Elasticsearch, run by
// one test file per server major (elasticsearch: 8.x, elasticsearch7: 7.17). The KCQL of each Stream
// Reactor documentation example is used as written, but for topic and index.

export function elasticSinkScenarios(service: 'elasticsearch' | 'elasticsearch7'): void {
  let env: ElasticIt;
  let worker: StandaloneWorker | undefined;

  beforeAll(async () => {
    env = await setUpElasticIt(service);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });
  afterAll(async () => {
    await tearDownElasticIt(env);
  });

  const topic = (prefix: string) => kafkaTopic(env, prefix);
  const waitForCount = (index: string, n: number) =>
    waitFor(async () => (await count(env, index)) >= n, {
      what: `${n} documents in ${index}`,
      timeoutMs: 60_000,
    });

  describe(`Elasticsearch sink end to end on ${service} (Stream Reactor documentation examples)`, () => {
    it('INSERT INTO indexB SELECT x AS a, y, zc FROM topicB PK y: selection, alias, id from y', async () => {
      const t = await topic('es-topicB');
      const index = indexName(env, 'indexB');
      await env.kafka.produce(t, [
        { value: JSON.stringify({ x: 1, y: 'first', zc: 1.5, dropped: true }) },
        { value: JSON.stringify({ x: 2, y: 'second', zc: 2.5, dropped: true }) },
        { value: JSON.stringify({ x: 3, y: 'first', zc: 3.5, dropped: true }) },
      ]);
      worker = await runConnector(
        env,
        elasticConnector(env, uniqueName('c'), t, `INSERT INTO ${index} SELECT x AS a, y, zc FROM ${t} PK y`),
      );
      await waitFor(async () => (await documents(env, index)).get('first')?.['a'] === 3, {
        what: 'first overwritten',
      });
      expect(Object.fromEntries(await documents(env, index))).toEqual({
        first: { a: 3, y: 'first', zc: 3.5 },
        second: { a: 2, y: 'second', zc: 2.5 },
      });
    });

    it('UPSERT ... PK nested.id (JSON with schemas): one document per nested.id, updated in place; AUTOCREATE maps the schema', async () => {
      const t = await topic('es-upsert');
      const index = indexName(env, 'upsert');
      const schema = {
        type: 'struct',
        fields: [
          {
            field: 'nested',
            type: 'struct',
            optional: false,
            fields: [{ field: 'id', type: 'string', optional: false }],
          },
          { field: 'string_field', type: 'string', optional: true },
          { field: 'amount', type: 'double', optional: true },
          { field: 'big', type: 'int64', optional: true },
        ],
      };
      await env.kafka.produce(t, [
        {
          value: connectJson(schema, {
            nested: { id: 'n1' },
            string_field: 'one',
            amount: 3.0,
            big: 5_000_000_000,
          }),
        },
        {
          value: connectJson(schema, { nested: { id: 'n1' }, string_field: 'two', amount: null, big: null }),
        },
      ]);
      worker = await runConnector(
        env,
        elasticConnector(
          env,
          uniqueName('c'),
          t,
          `UPSERT INTO ${index} SELECT nested.id, string_field, amount, big FROM ${t} AUTOCREATE PK nested.id`,
        ),
        { 'value.converter.schemas.enable': 'true' },
      );
      await waitFor(async () => (await documents(env, index)).get('n1')?.['string_field'] === 'two', {
        what: 'the upsert of n1',
      });
      const mapping = await env.es.indices.getMapping({ index });
      expect(mapping[index]!.mappings.properties).toMatchObject({
        id: { type: 'text' },
        amount: { type: 'double' },
        big: { type: 'long' },
      });
      expect(await count(env, index)).toBe(1);
    });

    it('WITHINDEXSUFFIX=_suffix_{YYYY-MM-dd}: the UTC date is appended to the index', async () => {
      const t = await topic('es-suffix');
      const index = indexName(env, 'index_name');
      await env.kafka.produce(t, [{ value: JSON.stringify({ a: 1 }) }]);
      worker = await runConnector(
        env,
        elasticConnector(
          env,
          uniqueName('c'),
          t,
          `INSERT INTO ${index} SELECT * FROM ${t} WITHINDEXSUFFIX=_suffix_{YYYY-MM-dd}`,
        ),
      );
      const suffixed = `${index}_suffix_${new Date().toISOString().slice(0, 10)}`;
      await waitForCount(suffixed, 1);
      expect([...(await documents(env, suffixed)).values()]).toEqual([{ a: 1 }]);
    });

    it('INSERT INTO _header.gate: each record goes to the index its header names', async () => {
      const t = await topic('es-gate');
      const [gateA, gateB] = [indexName(env, 'gate-a'), indexName(env, 'gate-b')];
      await env.kafka.produce(t, [
        { value: JSON.stringify({ n: 1 }), headers: { gate: gateA } },
        { value: JSON.stringify({ n: 2 }), headers: { gate: gateB } },
        { value: JSON.stringify({ n: 3 }), headers: { gate: gateA } },
      ]);
      worker = await runConnector(
        env,
        elasticConnector(env, uniqueName('c'), t, `INSERT INTO _header.gate SELECT * FROM ${t}`),
      );
      await waitForCount(gateA, 2);
      await waitForCount(gateB, 1);
      expect([...(await documents(env, gateB)).values()]).toEqual([{ n: 2 }]);
    });

    it("PROPERTIES('behavior.on.null.values'='DELETE'): a tombstone deletes the document its key's PK names", async () => {
      const t = await topic('es-delete');
      const index = indexName(env, 'shard');
      await env.kafka.produce(t, [
        { key: 'k1', value: JSON.stringify({ id: 'k1', v: 1 }) },
        { key: 'k2', value: JSON.stringify({ id: 'k2', v: 2 }) },
      ]);
      worker = await runConnector(
        env,
        elasticConnector(
          env,
          uniqueName('c'),
          t,
          `INSERT INTO ${index} SELECT * FROM ${t} PK _key PROPERTIES('behavior.on.null.values'='DELETE')`,
        ),
      );
      await waitForCount(index, 2);
      await env.kafka.produce(t, [{ key: 'k1', value: null }]);
      await waitFor(async () => (await count(env, index)) === 1, { what: 'k1 deleted' });
      expect([...(await documents(env, index)).keys()]).toEqual(['k2']);
    });

    it('Avro through the schema registry: AUTOCREATE maps the schema; values arrive with their types', async () => {
      const t = await topic('es-avro');
      const index = indexName(env, 'readings');
      const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, readingAvroSchema);
      const reading = (sensor: string, n: number) =>
        encodeAvro(avro, {
          sensorID: sensor,
          count: n,
          at: Date.UTC(2024, 0, 1, 0, 0, n),
          raw: Buffer.from([n, n + 1]),
          location: { lat: 51.5, lon: n / 10 },
          tags: ['a', 'b'],
          attrs: { x: n },
          note: null,
        });
      await env.kafka.produce(t, [{ value: reading('s1', 1) }, { value: reading('s2', 2) }]);
      worker = await runConnector(
        env,
        elasticConnector(
          env,
          uniqueName('c'),
          t,
          `UPSERT INTO ${index} SELECT * FROM ${t} AUTOCREATE PK sensorID`,
        ),
        {
          'value.converter': 'io.confluent.connect.avro.AvroConverter',
          'value.converter.schema.registry.url': env.registryUrl,
        },
      );
      await waitForCount(index, 2);
      const mapping = (await env.es.indices.getMapping({ index }))[index]!.mappings.properties!;
      expect(mapping).toMatchObject({
        sensorID: { type: 'text', fields: { keyword: { type: 'keyword' } } },
        count: { type: 'long' },
        at: { type: 'date' },
        raw: { type: 'binary' },
        location: { properties: { lat: { type: 'double' }, lon: { type: 'double' } } },
        tags: { type: 'text' },
      });
      expect((await documents(env, index)).get('s2')).toEqual({
        sensorID: 's2',
        count: 2,
        at: '2024-01-01T00:00:02.000Z',
        raw: Buffer.from([2, 3]).toString('base64'),
        location: { lat: 51.5, lon: 0.2 },
        tags: ['a', 'b'],
        attrs: { x: 2 },
        note: null,
      });
      // A date range query works on the mapped field.
      const hits = await env.es.search({ index, query: { range: { at: { gte: '2024-01-01T00:00:02Z' } } } });
      expect(hits.hits.hits.map((h) => h._id)).toEqual(['s2']);
    });

    it('WITHPIPELINE: index actions name the pipeline; a pipeline that does not exist sends each record to the DLQ', async () => {
      const [t1, t2] = [await topic('es-pipe-ok'), await topic('es-pipe-missing')];
      const [ok, missing] = [indexName(env, 'piped'), indexName(env, 'unpiped')];
      const pipeline = uniqueName('sluice-it');
      // No processors: the test distribution has none of the ingest-common ones; existence is what counts.
      await env.es.ingest.putPipeline({ id: pipeline, processors: [] });
      const dlq = uniqueName('es-pipe-dlq');
      await env.kafka.produce(t1, [{ value: JSON.stringify({ n: 1 }) }]);
      await env.kafka.produce(t2, [{ value: JSON.stringify({ n: 2 }) }]);
      const connector = elasticConnector(
        env,
        uniqueName('c'),
        `${t1},${t2}`,
        `INSERT INTO ${ok} SELECT * FROM ${t1} WITHPIPELINE = ${pipeline}; ` +
          `INSERT INTO ${missing} SELECT * FROM ${t2} WITHPIPELINE = ${pipeline}-missing`,
        {
          'errors.tolerance': 'all',
          'errors.deadletterqueue.topic.name': dlq,
          'errors.deadletterqueue.topic.replication.factor': '1',
          'errors.deadletterqueue.context.headers.enable': 'true',
        },
      );
      worker = await runConnector(env, connector);
      await waitForCount(ok, 1);
      const dead = await env.kafka.consume(dlq, 1);
      expect(JSON.parse(dead[0]!.value!.toString())).toEqual({ n: 2 });
      expect(dead[0]!.headers['__connect.errors.exception.message']).toContain(
        `pipeline with id [${pipeline}-missing] does not exist`,
      );
      await env.es.ingest.deletePipeline({ id: pipeline });
    });

    it('a bulk with one mapping-conflict document sends exactly that record to the DLQ; its neighbours are indexed', async () => {
      const t = await topic('es-poison');
      const dlq = uniqueName('es-dlq');
      const index = indexName(env, 'poison');
      await env.es.indices.create({ index, mappings: { properties: { n: { type: 'long' } } } });
      await env.kafka.produce(t, [
        { value: JSON.stringify({ id: 1, n: 10 }) },
        { value: JSON.stringify({ id: 2, n: 'not a number' }) },
        { value: JSON.stringify({ id: 3, n: 30 }) },
      ]);
      const connector = elasticConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${index} SELECT * FROM ${t} PK id`,
        {
          'errors.tolerance': 'all',
          'errors.deadletterqueue.topic.name': dlq,
          'errors.deadletterqueue.topic.replication.factor': '1',
          'errors.deadletterqueue.context.headers.enable': 'true',
        },
      );
      worker = await runConnector(env, connector);
      await waitForCount(index, 2);
      const dead = await env.kafka.consume(dlq, 1);
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0]!.value!.toString())).toEqual({ id: 2, n: 'not a number' });
      expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(
        new RegExp(`index of document 2 in index ${index}: (document|mapper)_parsing_exception`),
      );
      expect([...(await documents(env, index)).keys()].sort()).toEqual(['1', '3']);
      expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
    });
  });
}
