import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { jmsSettings } from '../src/config.js';
import { BrokerCertificateRefused, StompSession } from '../src/stomp-session.js';
import { FakeBroker } from './fake-broker.js';

// stomp+ssl:// with the connect.jms.ssl.* trust store (PEM), against a TLS broker whose certificate a
// CA made here signs: the handshake verifies the broker; a trust store without that CA fails it.

let dir: string;
let broker: FakeBroker;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-jms-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
  );
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'other.key',
    '-out',
    'other.pem',
    '-days',
    '2',
    '-subj',
    '/CN=other-ca',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  broker = await FakeBroker.start({
    key: readFileSync(path.join(dir, 'server.key')),
    cert: readFileSync(path.join(dir, 'server.pem')),
  });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function session(trustStore: string): StompSession {
  const settings = jmsSettings(
    plugin.configDef.parse({
      'connect.jms.url': `stomp+ssl://127.0.0.1:${broker.port}`,
      'connect.jms.kcql': 'INSERT INTO q SELECT * FROM t WITHTYPE QUEUE',
      'connect.jms.ssl.truststore.location': path.join(dir, trustStore),
      'connect.jms.ssl.truststore.type': 'PEM',
      'connect.jms.timeout': '1000',
    }),
  );
  return new StompSession({
    brokers: settings.brokers,
    username: '',
    password: '',
    timeoutMs: settings.timeoutMs,
    ...(settings.tls ? { tls: settings.tls } : {}),
    describe: 'c',
    log: { info: () => undefined, warn: () => undefined },
  });
}

describe('TLS', () => {
  it('sends over stomp+ssl:// to a broker the trust store vouches for', async () => {
    const s = session('ca.pem');
    await expect(s.commit([{ destination: '/queue/q', headers: {}, body: 'secret' }])).resolves.toEqual({
      committed: true,
    });
    await s.close();
    expect(broker.committed.map((f) => f.body)).toEqual(['secret']);
  });

  it('refuses a broker whose certificate the trust store does not vouch for, at once (fatal: retrying cannot help)', async () => {
    const s = session('other.pem');
    const error = await s.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerCertificateRefused);
    expect((error as Error).message).toMatch(
      /the TLS certificate of stomp\+ssl:\/\/127\.0\.0\.1:\d+ is not trusted: .*check connect\.jms\.ssl\.truststore/,
    );
    await s.close();
  });
});
