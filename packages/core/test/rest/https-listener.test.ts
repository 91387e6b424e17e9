import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createRestServer, listen } from '../../src/rest/server.js';
import { WorkerConfig } from '../../src/worker/worker-config.js';
import { buildTestHerder } from '../worker/fakes.js';

// `listeners=https://…` with Kafka's `listeners.https.ssl.*` keys: the REST API over TLS.

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

function get(port: number, options: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', ...options, checkServerIdentity: () => undefined },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

async function serve(props: Record<string, string>): Promise<number> {
  const config = new WorkerConfig({ listeners: 'https://127.0.0.1:0', ...props });
  const t = buildTestHerder();
  app = createRestServer({
    herder: t.herder,
    loggers: t.loggers,
    logger: pino({ level: 'silent' }),
    version: '0.1.0',
    https: config.restTls(),
  });
  return (await listen(app, config.listeners))!;
}

describe('REST over https', () => {
  const keystore = {
    'listeners.https.ssl.keystore.location': fixture('client.p12'),
    'listeners.https.ssl.keystore.type': 'PKCS12',
    'listeners.https.ssl.keystore.password': 'p12pass',
  };

  it('serves the API with the key store of listeners.https.ssl.*', async () => {
    const port = await serve(keystore);
    expect(await get(port, { ca: readFileSync(fixture('client.crt')) })).toBe(200);
    await expect(get(port, {})).rejects.toThrow(/certificate/);
  });

  it('requires client certificates with listeners.https.ssl.client.auth=required', async () => {
    const port = await serve({
      ...keystore,
      'listeners.https.ssl.truststore.location': fixture('trust.jks'),
      'listeners.https.ssl.truststore.password': 'trustpass',
      'listeners.https.ssl.client.auth': 'required',
    });
    const ca = readFileSync(fixture('client.crt'));
    expect(await get(port, { ca, cert: ca, key: readFileSync(fixture('client.key')) })).toBe(200);
    await expect(get(port, { ca })).rejects.toThrow();
  });

  it('an https listener without a key store is a config error naming the key', () => {
    expect(() => new WorkerConfig({ listeners: 'https://127.0.0.1:0' }).restTls()).toThrow(
      /listeners\.https\.ssl\.keystore\.location/,
    );
  });
});
