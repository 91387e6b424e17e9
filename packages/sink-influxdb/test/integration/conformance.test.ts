import { startPrivateInstance } from '@sluice/test-infra';
import { uniqueName } from '@sluice/test-utils';
import { describeSinkConformance, type ConformanceTarget } from '@sluice/test-utils/conformance';
import { fieldTypes, influxQl, setUpInfluxIt, tearDownInfluxIt, type InfluxIt } from './harness.js';

// The shared sink conformance suite against test-infra's InfluxDB 1.8, read back with InfluxQL. A point
// is read as its fields and tags, integer fields as bigint and float fields as number (from SHOW FIELD
// KEYS), so that `3.0` written as a float and `3` written as an integer tell apart; `time` is kept only
// where the statement sets it (WITHTIMESTAMP), elsewhere it is the time of the write.
//
// InfluxDB has no nested values: the all-types and JSON records' struct and map fields are written
// through KCQL that flattens them (`SELECT *, nested.x AS nested_x … IGNORE nested`), the array is
// flattened by the sink (`tags0`, `tags1`). A point has no key: replays without a timestamp field are
// new points (at least once, keyedWrites: false), and a tombstone is a record error, tolerated here.

let env: InfluxIt | undefined;
const it = () => env!;

/** The scenario each measurement was made for (its KCQL depends on it). */
const kinds = new Map<string, string>();

const FLATTEN: Record<string, string> = {
  avro:
    'SELECT *, nested.x AS nested_x, nested.label AS nested_label, attrs.x AS attrs_x, attrs.y AS attrs_y ' +
    'FROM {topic} IGNORE nested, attrs WITHTIMESTAMP ts',
  json: 'SELECT *, inner.s AS inner_s FROM {topic} IGNORE inner',
};

/** The points of a measurement, oldest first, typed by their InfluxDB field types. */
async function readPoints(db: InfluxIt, measurement: string, withTime: boolean): Promise<unknown[]> {
  const types = await fieldTypes(db, measurement);
  const series = await influxQl(db, `SELECT * FROM "${measurement}"`, 'ms');
  return series.flatMap((s) =>
    s.values.map((row) => {
      const point: Record<string, unknown> = {};
      s.columns.forEach((column, i) => {
        const value = row[i];
        if (column === 'time') {
          if (withTime) point['time'] = new Date(value as number);
        } else if (value !== null) {
          point[column] = types[column] === 'integer' ? BigInt(value as number) : value;
        }
      });
      return point;
    }),
  );
}

function measurementTarget(db: () => InfluxIt, prefix: string, name: string): ConformanceTarget {
  kinds.set(name, prefix.startsWith('json') ? 'json' : prefix);
  return { name, read: () => readPoints(db(), name, prefix === 'avro' || prefix === 'docs') };
}

const measurementName = (prefix: string) => uniqueName(prefix).replace(/-/g, '_');

describeSinkConformance({
  store: 'InfluxDB 1.8 (test-infra)',
  connectorClass: 'io.lenses.streamreactor.connect.influx.InfluxSinkConnector',
  pluginName: 'InfluxSinkConnector',
  kcqlKey: 'connect.influx.kcql',
  setUp: async () => (env = await setUpInfluxIt()),
  tearDown: () => tearDownInfluxIt(env),
  connection: () => ({ 'connect.influx.url': it().influxUrl, 'connect.influx.db': it().database }),
  // The docs example writes to the measurement it names: the database is this file's own.
  target: async (prefix) =>
    measurementTarget(it, prefix, prefix === 'docs' ? 'measureB' : measurementName(prefix)),
  kcql: (target, topic) =>
    `INSERT INTO ${target} ${(FLATTEN[kinds.get(target)!] ?? 'SELECT * FROM {topic}').replace('{topic}', topic)}`,
  idOf: (point) => {
    const id = (point as { id: unknown }).id;
    return typeof id === 'bigint' ? Number(id) : id;
  },
  expectedAllTypes: (v) => ({
    time: v.ts, // WITHTIMESTAMP ts: the Connect Timestamp is the point's time
    id: v.id,
    i32: BigInt(v.i32),
    i64: BigInt(v.i64),
    f32: v.f32,
    f64: v.f64, // a float field: read back as a number, where an integer field is a bigint
    flag: v.flag,
    text: v.text,
    price: Number(v.price.text), // Decimal → float
    day: BigInt(v.day.getTime()), // Date, Timestamp → epoch milliseconds; Time → ms of the day
    at: BigInt(v.at),
    ts: BigInt(v.ts.getTime()),
    tags0: v.tags[0],
    tags1: v.tags[1],
    attrs_x: BigInt(v.attrs['x']!),
    attrs_y: BigInt(v.attrs['y']!),
    nested_x: v.nested.x,
    nested_label: v.nested.label,
    // note (null) is left out: InfluxDB has no null field value.
  }),
  // Integers are integer fields whatever the converter (Jackson's rule for JSON text), 2.5 a float.
  expectedJson: (_kind, v) => ({ id: v.id, n: BigInt(v.n), x: v.x, flag: v.flag, inner_s: v.inner.s }),
  keyedWrites: false,
  // A tombstone is a record error (InfluxDB has nothing to delete by key); tolerated, the stream goes on.
  tombstones: { props: { 'errors.tolerance': 'all' }, effect: 'ignore' },
  poison: (target, topic) => ({
    kcql: `INSERT INTO ${target} SELECT id, v FROM ${topic}`,
    good: [JSON.stringify({ id: 1, v: 1 }), JSON.stringify({ id: 3, v: 3 })],
    bad: JSON.stringify({ id: 2, v: 'many' }),
    error: new RegExp(`field type conflict: input field "v" on measurement "${target}"`),
  }),
  outage: async () => {
    // An InfluxDB of its own on its own port: the shared one is never stopped.
    const instance = await startPrivateInstance('influxdb');
    const db: InfluxIt = { ...it(), influxUrl: instance.info['url'] as string };
    await influxQl(db, `CREATE DATABASE "${db.database}"`);
    return {
      connector: { 'connect.influx.url': db.influxUrl, 'connect.influx.request.timeout.ms': '2000' },
      target: async (prefix) => measurementTarget(() => db, prefix, measurementName(prefix)),
      stop: () => instance.stop(),
      start: () => instance.start(),
      dispose: () => instance.dispose(),
    };
  },
  docsExample: (target, topic) => ({
    // docs.lenses.io, InfluxDB sink: `INSERT INTO measureB SELECT x AS a, y AS b, c FROM topicB WITHTIMESTAMP y`.
    connector: {
      name: uniqueName('influx'),
      'connector.class': 'io.lenses.streamreactor.connect.influx.InfluxSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.influx.url': it().influxUrl,
      'connect.influx.db': it().database,
      'connect.influx.kcql': `INSERT INTO ${target} SELECT x AS a, y AS b, c FROM ${topic} WITHTIMESTAMP y`,
    },
    messages: [
      { value: JSON.stringify({ x: 10, y: Date.UTC(2024, 0, 1), c: 'c1' }) },
      { value: JSON.stringify({ x: 11, y: Date.UTC(2024, 0, 2), c: 'c2' }) },
    ],
    expected: [
      { time: new Date(Date.UTC(2024, 0, 1)), a: 10n, b: BigInt(Date.UTC(2024, 0, 1)), c: 'c1' },
      { time: new Date(Date.UTC(2024, 0, 2)), a: 11n, b: BigInt(Date.UTC(2024, 0, 2)), c: 'c2' },
    ],
  }),
  badKey: { key: 'connect.influx.consistency.level', value: 'MOST' },
  unsupportedFields: {
    raw: 'InfluxDB fields hold no bytes: the sink makes a BYTES field a record error naming it (test/points.test.ts)',
  },
});
