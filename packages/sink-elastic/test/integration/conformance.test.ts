import { Client, errors } from '@elastic/elasticsearch';
import { startPrivateInstance, type PrivateInstance } from '@sluice/test-infra';
import { uniqueName } from '@sluice/test-utils';
import { describeSinkConformance, type ConformanceTarget } from '@sluice/test-utils/conformance';
import { indexName, setUpElasticIt, tearDownElasticIt, type ElasticIt } from './harness.js';

// The shared sink conformance suite against test-infra's Elasticsearch 8.19. Every statement is
// AUTOCREATE (an explicit mapping when the record has a Connect schema, dynamic mapping otherwise),
// and the type scenarios read back each document's `_source` together with the index mapping of its
// fields: JSON alone cannot tell `3.0` from `3`, the mapping (`double` vs `long`) does. Indices are
// refreshed before each read: the sink does not ask for a refresh.

let env: ElasticIt | undefined;
const it = () => env!;
/**
 * The outage scenario's private Elasticsearch, started with the suite: its ~20 s start overlaps the
 * scenarios before it instead of adding to the file's runtime.
 */
let privateEs: Promise<PrivateInstance> | undefined;

/** The scenarios whose documents are compared with their mapping. */
const TYPED = new Set(['avro', 'json-with-schemas', 'json-schemaless', 'json-text']);

const TEXT = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };

/** Every document of `index`, sorted by id; none while the index does not exist yet. */
async function sources(es: Client, index: string): Promise<Record<string, unknown>[]> {
  try {
    await es.indices.refresh({ index });
    const res = await es.search<Record<string, unknown>>({ index, size: 10_000 });
    return res.hits.hits
      .sort((a, b) => a._id!.localeCompare(b._id!, 'en', { numeric: true }))
      .map((h) => h._source!);
  } catch (e) {
    if (e instanceof errors.ResponseError && e.statusCode === 404) return [];
    throw e;
  }
}

function indexTarget(es: Client, name: string, typed: boolean): ConformanceTarget {
  return {
    name,
    read: async () => {
      const docs = await sources(es, name);
      if (!typed || docs.length === 0) return docs;
      const mapping = (await es.indices.getMapping({ index: name }))[name]!.mappings.properties;
      return docs.map((source) => ({ source, mapping }));
    },
  };
}

const hostPort = (url: string) => {
  const u = new URL(url);
  return { 'connect.elastic.hosts': u.hostname, 'connect.elastic.port': u.port };
};

describeSinkConformance({
  store: 'Elasticsearch 8.19 (test-infra)',
  connectorClass: 'io.lenses.streamreactor.connect.elastic7.ElasticSinkConnector',
  pluginName: 'ElasticSinkConnector',
  kcqlKey: 'connect.elastic.kcql',
  setUp: async () => {
    privateEs = startPrivateInstance('elasticsearch');
    privateEs.catch(() => undefined); // reported by the outage scenario, which awaits it
    return (env = await setUpElasticIt());
  },
  tearDown: async () => {
    await tearDownElasticIt(env);
    await (await privateEs?.catch(() => undefined))?.dispose();
  },
  connection: () => hostPort(it().esUrl),
  target: async (prefix) => {
    const name = indexName(it(), prefix === 'docs' ? 'indexb' : prefix);
    if (prefix === 'poison') {
      // A mapped `n`: the poison record's text in it is a mapping conflict, refused by Elasticsearch.
      await it().es.indices.create({ index: name, mappings: { properties: { n: { type: 'long' } } } });
    }
    return indexTarget(it().es, name, TYPED.has(prefix));
  },
  kcql: (target, topic, keyed) =>
    /^tombstone-/.test(target)
      ? // The tombstone carries only the key: the key is the id of the document it deletes.
        `INSERT INTO ${target} SELECT * FROM ${topic} PK _key PROPERTIES('behavior.on.null.values'='DELETE')`
      : `INSERT INTO ${target} SELECT * FROM ${topic} AUTOCREATE${keyed ? ' PK id' : ''}`,
  idOf: (doc) => (doc as { id: unknown }).id,
  expectedAllTypes: (v) => ({
    source: {
      id: v.id,
      i32: v.i32,
      i64: v.i64,
      f32: v.f32,
      f64: v.f64,
      flag: v.flag,
      text: v.text,
      raw: v.raw.toString('base64'),
      price: Number(v.price.text), // the exact digits, -12345.67
      day: v.day.toISOString().slice(0, 10),
      at: '13:45:30.250',
      ts: v.ts.toISOString(),
      tags: [...v.tags],
      attrs: { ...v.attrs },
      nested: { ...v.nested },
      note: null,
    },
    // AUTOCREATE's explicit mapping from the Avro schema (a null field is left to dynamic mapping).
    mapping: {
      id: TEXT,
      i32: { type: 'integer' },
      i64: { type: 'long' },
      f32: { type: 'float' },
      f64: { type: 'double' }, // the whole FLOAT64 stays a double
      flag: { type: 'boolean' },
      text: TEXT,
      raw: { type: 'binary' },
      price: { type: 'double' },
      day: { type: 'date' },
      at: { type: 'date', format: 'strict_hour_minute_second_fraction' },
      ts: { type: 'date' },
      tags: TEXT,
      attrs: { properties: { x: { type: 'long' }, y: { type: 'long' } } },
      nested: { properties: { x: { type: 'double' }, label: TEXT } },
    },
  }),
  expectedJson: (kind, v) => ({
    source: { id: v.id, n: v.n, x: v.x, flag: v.flag, inner: { ...v.inner } },
    // With a schema AUTOCREATE maps it (FLOAT64 → double); without, Elasticsearch's dynamic mapping
    // decides (a JSON fraction → float).
    mapping: {
      id: TEXT,
      n: { type: 'long' },
      x: { type: kind === 'json-with-schemas' ? 'double' : 'float' },
      flag: { type: 'boolean' },
      inner: { properties: { s: TEXT } },
    },
  }),
  keyedWrites: true,
  tombstones: { props: {}, effect: 'delete' },
  poison: (target, topic) => ({
    kcql: `INSERT INTO ${target} SELECT * FROM ${topic} PK id`,
    good: [JSON.stringify({ id: 1, n: 10 }), JSON.stringify({ id: 3, n: 30 })],
    bad: JSON.stringify({ id: 2, n: 'many' }),
    error: new RegExp(`index of document 2 in index ${target}: (document|mapper)_parsing_exception`),
  }),
  outage: async () => {
    // An Elasticsearch of its own on its own ports: the shared one is never stopped.
    const instance = await privateEs!;
    const url = instance.info['url'] as string;
    const es = new Client({ node: url });
    return {
      connector: { ...hostPort(url), 'connect.elastic.write.timeout': '5000' },
      target: async (prefix) => indexTarget(es, uniqueName(prefix).toLowerCase(), false),
      stop: () => instance.stop(),
      start: () => instance.start(),
      dispose: async () => {
        await es.close();
        await instance.dispose();
      },
    };
  },
  docsExample: (target, topic) => ({
    // docs.lenses.io, Elasticsearch sink: `INSERT INTO indexB SELECT x AS a, y, zc FROM topicB PK y`
    // (the index name made unique on the shared server).
    connector: {
      name: uniqueName('elastic'),
      'connector.class': 'io.lenses.streamreactor.connect.elastic7.ElasticSinkConnector',
      'tasks.max': '1',
      topics: topic,
      ...hostPort(it().esUrl),
      'connect.elastic.kcql': `INSERT INTO ${target} SELECT x AS a, y, zc FROM ${topic} PK y`,
    },
    messages: [
      { value: JSON.stringify({ x: 1, y: 'first', zc: 1.5, dropped: true }) },
      { value: JSON.stringify({ x: 2, y: 'second', zc: 2.5, dropped: true }) },
    ],
    expected: [
      { a: 1, y: 'first', zc: 1.5 },
      { a: 2, y: 'second', zc: 2.5 },
    ],
  }),
  badKey: { key: 'connect.elastic.protocol', value: 'ftp' },
});
