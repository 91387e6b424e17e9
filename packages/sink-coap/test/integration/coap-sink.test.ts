import { execFileSync } from 'node:child_process';
import { ensureServices, startPrivateInstance } from '@sluice/test-infra';
import {
  encodeAvro,
  kafkaTopic,
  range,
  readingAvroSchema,
  registerAvroSchema,
  runConnector,
  sleep,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CountingServer,
  coapConnector,
  coapRequest,
  freeUdpPort,
  setUpCoapIt,
  tearDownCoapIt,
  type CoapIt,
} from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → libcoap's coap-server
// (test-infra), or a node-coap server run by the test that counts what it receives.

let env: CoapIt;
let worker: StandaloneWorker | undefined;
let peer: CountingServer | undefined;

beforeAll(async () => {
  env = await setUpCoapIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await peer?.stop();
  peer = undefined;
});
afterAll(async () => {
  await tearDownCoapIt(env);
});

const topic = (prefix: string) => kafkaTopic(env, prefix);
const libcoapGet = (path: string) => coapRequest(env.coapHost, env.coapPort, 'GET', path);

async function countingPeer(
  answer?: ConstructorParameters<typeof CountingServer>[1],
): Promise<CountingServer> {
  peer = new CountingServer(await freeUdpPort(), answer);
  await peer.start();
  return peer;
}

describe('CoAP sink end to end', () => {
  it('N records give N confirmed PUTs of application/json, in order per resource (_key resources)', async () => {
    const server = await countingPeer();
    const t = await topic('coap-order');
    const keys = ['k0', 'k1', 'k2'];
    await env.kafka.produce(
      t,
      range(0, 60).map((seq) => ({
        key: keys[seq % 3]!,
        value: JSON.stringify({ seq, name: `r${seq}`, drop: 1 }),
      })),
    );
    const connector = coapConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO _key SELECT seq, name AS label FROM ${t}`,
      {
        'connect.coap.uri': `coap://127.0.0.1:${server.port}/${env.prefix}`,
      },
    );
    worker = await runConnector(env, connector);
    // Offsets are committed only after every request of them was confirmed: once all 60 are committed,
    // the sink has nothing more to send.
    await waitFor(async () => (await env.kafka.committedRecords(`connect-${connector.name}`, t)) === 60, {
      what: 'all 60 offsets committed',
    });
    expect(server.received).toHaveLength(60);
    expect(server.received.every((r) => r.method === 'PUT' && r.confirmable)).toBe(true);
    expect(new Set(server.received.map((r) => r.contentFormat))).toEqual(new Set(['application/json']));
    for (const [i, key] of keys.entries()) {
      expect(server.payloads(`${env.prefix}/${key}`)).toEqual(
        range(0, 60)
          .filter((seq) => seq % 3 === i)
          .map((seq) => JSON.stringify({ seq, label: `r${seq}` })),
      );
    }
  });

  it('connect.coap.confirmable=false sends non-confirmable POSTs (at most once)', async () => {
    const server = await countingPeer();
    const t = await topic('coap-non');
    await env.kafka.produce(
      t,
      range(0, 5).map((i) => ({ value: JSON.stringify({ i }) })),
    );
    worker = await runConnector(
      env,
      coapConnector(env, uniqueName('c'), t, `INSERT INTO ${env.prefix}/non SELECT * FROM ${t}`, {
        'connect.coap.uri': `coap://127.0.0.1:${server.port}`,
        'connect.coap.confirmable': 'false',
        'connect.coap.method': 'POST',
      }),
    );
    await waitFor(() => server.received.length >= 5, { what: '5 requests' });
    expect(server.received.map((r) => [r.method, r.confirmable])).toEqual(
      range(0, 5).map(() => ['POST', false]),
    );
  });

  it('schemaless JSON to libcoap: a GET reads the last record sent to the resource', async () => {
    const t = await topic('coap-json');
    const resource = `${env.prefix}/json`;
    await env.kafka.produce(
      t,
      range(0, 20).map((i) => ({
        value: JSON.stringify({ id: i, big: 5_000_000_000 + i, loc: { lat: 50.5, lon: i } }),
      })),
    );
    worker = await runConnector(
      env,
      coapConnector(env, uniqueName('c'), t, `INSERT INTO ${resource} SELECT * FROM ${t}`),
    );
    await waitFor(async () => (await libcoapGet(resource)).payload.includes('"id":19'), {
      what: 'the last record',
    });
    expect(JSON.parse((await libcoapGet(resource)).payload)).toEqual({
      id: 19,
      big: 5_000_000_019,
      loc: { lat: 50.5, lon: 19 },
    });
  });

  it('Avro through the schema registry: Connect types arrive as JSON types (long exact, bytes base64, nested record)', async () => {
    const t = await topic('coap-avro');
    const resource = `${env.prefix}/avro`;
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, readingAvroSchema);
    await env.kafka.produce(t, [
      {
        value: encodeAvro(avro, {
          sensorID: 's1',
          count: 5_000_000_003,
          at: Date.UTC(2024, 0, 1, 0, 0, 3),
          raw: Buffer.from([3, 4]),
          location: { lat: 51.5, lon: 0.3 },
          tags: ['a', 'b'],
          attrs: { x: 3 },
          note: null,
        }),
      },
    ]);
    worker = await runConnector(
      env,
      coapConnector(env, uniqueName('c'), t, `INSERT INTO ${resource} SELECT * FROM ${t}`),
      {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      },
    );
    await waitFor(async () => (await libcoapGet(resource)).code === '2.05', {
      what: 'the Avro record at libcoap',
    });
    const text = (await libcoapGet(resource)).payload;
    expect(text).toContain('"count":5000000003');
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(doc).toMatchObject({
      sensorID: 's1',
      raw: 'AwQ=',
      location: { lat: 51.5, lon: 0.3 },
      tags: ['a', 'b'],
      attrs: { x: 3 },
      note: null,
    });
    expect(doc['at']).toBe(Date.UTC(2024, 0, 1, 0, 0, 3));
  });

  it("tombstones: behavior.on.null.values=DELETE deletes the record's resource; the other keys keep their last value", async () => {
    const t = await topic('coap-tombstone');
    await env.kafka.produce(t, [
      { key: 'a', value: JSON.stringify({ id: 'a', qty: 1 }) },
      { key: 'b', value: JSON.stringify({ id: 'b', qty: 2 }) },
      { key: 'a', value: JSON.stringify({ id: 'a', qty: 3 }) },
    ]);
    const base = `coap://${env.coapHost}:${env.coapPort}/${env.prefix}/stock`;
    worker = await runConnector(
      env,
      coapConnector(env, uniqueName('c'), t, `INSERT INTO _key SELECT * FROM ${t}`, {
        'connect.coap.uri': base,
        'connect.coap.behavior.on.null.values': 'DELETE',
      }),
    );
    await waitFor(async () => (await libcoapGet(`${env.prefix}/stock/a`)).payload.includes('"qty":3'), {
      what: 'a at its last value',
    });
    await env.kafka.produce(t, [{ key: 'a', value: null }]);
    await waitFor(async () => (await libcoapGet(`${env.prefix}/stock/a`)).code === '4.04', {
      what: 'resource a deleted by its tombstone',
    });
    expect(JSON.parse((await libcoapGet(`${env.prefix}/stock/b`)).payload)).toEqual({ id: 'b', qty: 2 });
  });

  it('a 4 KB record goes block-wise (Block1) and libcoap holds all of it', async () => {
    const t = await topic('coap-block');
    const resource = `${env.prefix}/block`;
    const big = 'x'.repeat(4096);
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1, big }) }]);
    worker = await runConnector(
      env,
      coapConnector(env, uniqueName('c'), t, `INSERT INTO ${resource} SELECT * FROM ${t}`, {
        'connect.coap.block.size': '512',
      }),
    );
    await waitFor(async () => (await libcoapGet(resource)).code === '2.05', { what: 'the 4 KB resource' });
    expect(JSON.parse((await libcoapGet(resource)).payload)).toEqual({ id: 1, big });
  });

  it('poison records (4.xx answer, no resource field) go to the dead letter queue while their neighbours arrive', async () => {
    const server = await countingPeer((r) => (r.payload.includes('poison') ? '4.00' : '2.04'));
    const t = await topic('coap-poison');
    const dlq = uniqueName('coap-dlq');
    await env.kafka.produce(t, [
      { value: JSON.stringify({ dev: 'a', v: 1 }) },
      { value: JSON.stringify({ dev: 'a', v: 'poison' }) },
      { value: JSON.stringify({ v: 'no dev' }) },
      { value: JSON.stringify({ dev: 'b', v: 4 }) },
    ]);
    const connector = coapConnector(env, uniqueName('c'), t, `INSERT INTO _value.dev SELECT * FROM ${t}`, {
      'connect.coap.uri': `coap://127.0.0.1:${server.port}`,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    worker = await runConnector(env, connector);
    const dead = await env.kafka.consume(dlq, 2);
    const byValue = new Map(
      dead.map((d) => [d.value!.toString(), d.headers['__connect.errors.exception.message']]),
    );
    expect(byValue.get(JSON.stringify({ dev: 'a', v: 'poison' }))).toMatch(
      /coap:\/\/127\.0\.0\.1:\d+\/a refused the PUT with 4\.00 Bad Request/,
    );
    expect(byValue.get(JSON.stringify({ v: 'no dev' }))).toMatch(/field 'dev'/);
    expect(
      server.received
        .filter((r) => r.payload.includes('"v":1') || r.payload.includes('"v":4'))
        .map((r) => r.path),
    ).toEqual(['a', 'b']);
    expect((await worker.status(connector['name']!)).tasks[0]!.state).toBe('RUNNING');
  });

  it('DTLS with a pre-shared key against libcoap (coaps://)', async () => {
    const dtls = (await ensureServices(['coap-dtls']))['coap-dtls']!;
    const t = await topic('coap-dtls');
    const resource = `${env.prefix}/dtls`;
    await env.kafka.produce(
      t,
      range(0, 3).map((i) => ({ value: JSON.stringify({ i, secret: false }) })),
    );
    worker = await runConnector(
      env,
      coapConnector(env, uniqueName('c'), t, `INSERT INTO ${resource} SELECT * FROM ${t}`, {
        'connect.coap.uri': dtls['url'] as string,
        'connect.coap.username': dtls['pskIdentity'] as string,
        'connect.coap.password': dtls['pskKey'] as string,
      }),
    );
    // Read back over DTLS with libcoap's own client.
    const read = () =>
      execFileSync('coap-client-openssl', [
        '-u',
        dtls['pskIdentity'] as string,
        '-k',
        dtls['pskKey'] as string,
        '-m',
        'get',
        `${dtls['url'] as string}/${resource}`,
      ])
        .toString()
        .trim();
    await waitFor(() => read().includes('"i":2'), { what: 'the last record over DTLS' });
    expect(JSON.parse(read())).toEqual({ i: 2, secret: false });
    expect(worker.output()).not.toContain(dtls['pskKey'] as string);
  });

  it('with RETRY, a private libcoap stopped for ~20 s mid-stream loses nothing', async () => {
    const server = await startPrivateInstance('coap');
    try {
      const { host, port } = server.info;
      const t = await topic('coap-outage');
      const connector = coapConnector(env, uniqueName('c'), t, `INSERT INTO _key SELECT * FROM ${t}`, {
        'connect.coap.uri': `coap://${host}:${port}/${env.prefix}`,
        'connect.coap.error.policy': 'RETRY',
        'connect.coap.retry.interval': '1000',
        'connect.coap.max.retries': '-1',
        'connect.coap.request.timeout': '3000',
      });
      worker = await runConnector(env, connector);
      // One resource per record, so that a GET shows whether each one arrived.
      const produce = (from: number, to: number) =>
        env.kafka.produce(
          t,
          range(from, to).map((id) => ({ key: `r${id}`, value: JSON.stringify({ id }) })),
        );
      const arrived = async (ids: number[]) => {
        const answers = await Promise.all(
          ids.map((id) => coapRequest(host, port, 'GET', `${env.prefix}/r${id}`)),
        );
        return answers.filter((a, i) => a.code === '2.05' && JSON.parse(a.payload).id === ids[i]).length;
      };
      await produce(0, 100);
      await waitFor(async () => (await arrived([99])) === 1, { what: 'the first 100 records' });

      await server.stop(); // libcoap keeps resources in memory: only what is sent from now on is checked
      await produce(100, 300);
      await sleep(20_000);
      await server.start();

      await waitFor(async () => (await arrived(range(100, 300))) === 200, {
        what: 'the 200 records produced during the outage',
        timeoutMs: 90_000,
      });
      await produce(300, 350);
      await waitFor(async () => (await arrived(range(300, 350))) === 50, {
        what: 'records after the outage',
      });
      expect(await arrived(range(100, 350))).toBe(250);
      expect((await worker.status(connector['name']!)).tasks[0]!.state).toBe('RUNNING');
    } finally {
      await worker?.stop();
      worker = undefined;
      await server.dispose();
    }
  }, 240_000);

  it('runs the Stream Reactor docs example unchanged but for host, topic and resource name', async () => {
    const t = await topic('coap_topic');
    const resource = `${env.prefix}-insecure1`;
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1, item: 'tea', price: 2.5 }) }]);
    // docs.lenses.io 3.2 connectors/sink/coap: `INSERT INTO insecure1 SELECT * FROM coap_topic` with
    // connect.coap.uri=coap://localhost:5683; the resource is the test's own on the shared server.
    const example = {
      name: uniqueName('coap'),
      'connector.class': 'com.datamountaineer.streamreactor.connect.coap.sink.CoapSinkConnector',
      'tasks.max': '1',
      topics: t,
      'connect.coap.kcql': `INSERT INTO ${resource} SELECT * FROM ${t}`,
      'connect.coap.uri': `coap://${env.coapHost}:${env.coapPort}`,
    };
    worker = await runConnector(env, example);
    await waitFor(async () => (await libcoapGet(resource)).code === '2.05', { what: 'the example record' });
    expect(JSON.parse((await libcoapGet(resource)).payload)).toEqual({ id: 1, item: 'tea', price: 2.5 });
  });
});
