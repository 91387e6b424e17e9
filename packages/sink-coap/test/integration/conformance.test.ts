import { describeSinkConformance } from '@sluice/test-utils/conformance';
import { uniqueName } from '@sluice/test-utils';
import { coapRequest, setUpCoapIt, tearDownCoapIt, type CoapIt } from './harness.js';

// The shared sink conformance suite against test-infra's libcoap. A CoAP resource holds one value, the
// last one sent (PUT), so every scenario routes by the record's `id` (`INSERT INTO _value.id`): one
// resource per id, under a base path of the scenario's own (connect.coap.uri), and a target is read
// back by listing its resources (/.well-known/core?href=<base>*) and GETting each: the last value of
// each id, which is what a store of last values can show.

let env: CoapIt | undefined;
const it = () => env!;
/** The server and base path of the latest target: connection() is read after target() in every scenario. */
let current = { host: '', port: 0, base: '' };

async function readResources(host: string, port: number, base: string): Promise<unknown[]> {
  const listing = await coapRequest(host, port, 'GET', `.well-known/core?href=/${base}/*`);
  const paths = [...listing.payload.matchAll(/<\/([^>]+)>/g)].map((m) => m[1]!).sort();
  const docs: unknown[] = [];
  for (const path of paths) {
    const answer = await coapRequest(host, port, 'GET', path);
    if (answer.code === '2.05') docs.push(JSON.parse(answer.payload));
  }
  return docs;
}

describeSinkConformance({
  store: 'CoAP (test-infra: libcoap coap-server)',
  connectorClass: 'com.datamountaineer.streamreactor.connect.coap.sink.CoapSinkConnector',
  pluginName: 'CoapSinkConnector',
  kcqlKey: 'connect.coap.kcql',
  setUp: async () => (env = await setUpCoapIt()),
  tearDown: () => tearDownCoapIt(env),
  connection: () => ({ 'connect.coap.uri': `coap://${current.host}:${current.port}/${current.base}` }),
  target: async (prefix) => {
    const server = { host: it().coapHost, port: it().coapPort };
    const base = `${it().prefix}/${uniqueName(prefix)}`;
    current = { ...server, base };
    return { name: base, read: () => readResources(server.host, server.port, base) };
  },
  kcql: (_target, topic) => `INSERT INTO _value.id SELECT * FROM ${topic}`,
  idOf: (doc) => (doc as { id: unknown }).id,
  expectedAllTypes: (v) => ({
    id: v.id,
    i32: v.i32,
    i64: v.i64,
    f32: v.f32,
    f64: v.f64,
    flag: v.flag,
    text: v.text,
    raw: v.raw.toString('base64'),
    price: Number(v.price.text),
    day: v.day.toISOString(),
    at: new Date(v.at).toISOString().slice(11),
    ts: v.ts.getTime(),
    tags: [...v.tags],
    attrs: { ...v.attrs },
    nested: { ...v.nested },
    note: null,
  }),
  expectedJson: (_kind, v) => ({ id: v.id, n: v.n, x: v.x, flag: v.flag, inner: { ...v.inner } }),
  keyedWrites: true,
  // A resource named by a value field cannot be found from a tombstone (no value): tombstones are skipped.
  // DELETE of a `_key` resource is covered by coap-sink.test.ts.
  tombstones: { props: { 'connect.coap.behavior.on.null.values': 'IGNORE' }, effect: 'ignore' },
  poison: (_target, topic) => ({
    kcql: `INSERT INTO _value.id SELECT * FROM ${topic}`,
    good: [JSON.stringify({ id: 1, v: 'ok' }), JSON.stringify({ id: 3, v: 'ok' })],
    bad: JSON.stringify({ v: 'no id' }),
    error: /field 'id'/,
  }),
  docsExample: (_target, topic) => ({
    // docs.lenses.io 3.2 connectors/sink/coap: `INSERT INTO insecure1 SELECT * FROM coap_topic` with
    // connect.coap.uri=coap://localhost:5683; the URI carries the scenario's base path on the shared server.
    connector: {
      name: uniqueName('coap'),
      'connector.class': 'com.datamountaineer.streamreactor.connect.coap.sink.CoapSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.coap.kcql': `INSERT INTO insecure1 SELECT * FROM ${topic}`,
      'connect.coap.uri': `coap://${current.host}:${current.port}/${current.base}`,
    },
    messages: [{ value: JSON.stringify({ id: 1, item: 'tea', price: 2.5 }) }],
    expected: [{ id: 1, item: 'tea', price: 2.5 }],
  }),
  badKey: { key: 'connect.coap.block.size', value: '1000' },
  unsupported: {
    'outage-under-retry':
      'libcoap keeps its resources in memory, so a restarted server has lost what it held before the outage ' +
      'and the records sent before it cannot be read back; coap-sink.test.ts stops a private libcoap ' +
      '(startPrivateInstance) for 20 s under RETRY and checks every record sent from the stop on.',
  },
});
