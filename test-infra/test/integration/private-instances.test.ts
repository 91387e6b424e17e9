import { readFile } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import mqtt from 'mqtt';
import r from 'rethinkdb';
import { describe, expect, it } from 'vitest';
import { outage, withPrivateInstance } from './private-outage.js';

// Private instances of the light services: each keeps what a real server of its kind keeps across a
// stop and start. (Elasticsearch and Cassandra have files of their own: they take longer.)

describe('private instances', () => {
  it('mongodb: a document written before the outage is there after it', async () => {
    await withPrivateInstance('mongodb', async (mongo) => {
      const client = new MongoClient(mongo.info.url as string, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client
          .db('private_it')
          .collection('c')
          .insertOne({ _id: 'k' as never, v: 1 });
        await outage('mongodb', mongo);
        expect(await client.db('private_it').collection('c').findOne({})).toEqual({ _id: 'k', v: 1 });
      } finally {
        await client.close();
      }
    });
  });

  it('mosquitto: keeps a retained message and its TLS certificates across the outage', async () => {
    await withPrivateInstance('mosquitto', async (broker) => {
      const { tlsUrl, caFile, clientCertFile, clientKeyFile } = broker.info as Record<string, string>;
      const tls = async () => ({
        ca: await readFile(caFile!),
        cert: await readFile(clientCertFile!),
        key: await readFile(clientKeyFile!),
      });
      const before = await tls();
      const publisher = await mqtt.connectAsync(tlsUrl!, { ...before, reconnectPeriod: 0 });
      await publisher.publishAsync('private/retained', 'kept', { qos: 1, retain: true });
      await publisher.endAsync();

      await outage('mosquitto', broker);
      // The same CA and client certificate as before the outage.
      expect(await tls()).toEqual(before);
      const late = await mqtt.connectAsync(tlsUrl!, { ...before, reconnectPeriod: 0 });
      try {
        const got = new Promise<string>((resolve) => late.on('message', (_t, p) => resolve(p.toString())));
        await late.subscribeAsync('private/retained', { qos: 1 });
        expect(await got).toBe('kept');
      } finally {
        await late.endAsync();
      }
    });
  });

  it('influxdb: a point written before the outage is there after it', async () => {
    await withPrivateInstance('influxdb', async (influx) => {
      const url = influx.info.url as string;
      const query = async (q: string) => {
        const res = await fetch(`${url}/query?db=private_it`, {
          method: 'POST',
          body: new URLSearchParams({ q }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { results: { series?: { values: unknown[][] }[] }[] };
      };
      await query('CREATE DATABASE private_it');
      const write = await fetch(`${url}/write?db=private_it&precision=s`, {
        method: 'POST',
        body: 'readings,sensor=s1 value=21.5 1700000000',
      });
      expect(write.status).toBe(204);
      await outage('influxdb', influx);
      const result = await query('SELECT value FROM readings');
      expect(result.results[0]?.series?.[0]?.values).toEqual([['2023-11-14T22:13:20Z', 21.5]]);
    });
  });

  it('rethinkdb: the test double saves its tables when stopped and loads them at start', async () => {
    await withPrivateInstance('rethinkdb', async (rethink) => {
      const connect = () =>
        r.connect({ host: rethink.info.host, port: rethink.info.port, user: 'admin', password: '' });
      const before = await connect();
      await r.dbCreate('private_it').run(before);
      await r.db('private_it').tableCreate('t').run(before);
      await r.db('private_it').table('t').insert({ id: 'k', v: 1 }).run(before);
      await before.close();

      await outage('rethinkdb', rethink);
      const after = await connect();
      try {
        expect(await r.db('private_it').table('t').get('k').run(after)).toEqual({ id: 'k', v: 1 });
      } finally {
        await after.close();
      }
    });
  });

  // Neither keeps data (a non-persistent broker, CoAP's dynamic resources in memory): start() waiting
  // for health is the check, a STOMP CONNECT and a CoAP GET /.well-known/core on the same port.
  it.each(['activemq', 'coap'] as const)('%s: stops and starts again on the same port', async (name) => {
    await withPrivateInstance(name, (instance) => outage(name, instance));
  });
});
