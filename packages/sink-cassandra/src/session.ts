import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import cassandra from 'cassandra-driver';
import { ConfigException } from '@sluice/core';
import jks from 'jks-js';
import { KEYS, type CassandraSettings, type StoreFile, type TlsSettings } from './config.js';

// The driver's Client from the settings. Writes are prepared and idempotent by default; bigint and
// varint values are JS bigints and maps are Maps, so nothing is lost between Connect and CQL.

const { policies, types } = cassandra;

export function clientOptions(settings: CassandraSettings, localDc: string): cassandra.ClientOptions {
  const dcAware = new policies.loadBalancing.DCAwareRoundRobinPolicy(localDc);
  const loadBalancing =
    settings.loadBalancing === 'ROUND_ROBIN'
      ? new policies.loadBalancing.RoundRobinPolicy()
      : settings.loadBalancing === 'DC_AWARE_ROUND_ROBIN'
        ? dcAware
        : new policies.loadBalancing.TokenAwarePolicy(dcAware);
  return {
    contactPoints: [...settings.contactPoints],
    localDataCenter: localDc,
    protocolOptions: { port: settings.port },
    credentials: settings.credentials ? { ...settings.credentials } : undefined,
    sslOptions: settings.tls ? tlsOptions(settings.tls) : undefined,
    pooling: {
      coreConnectionsPerHost: { [types.distance.local]: settings.poolSize, [types.distance.remote]: 1 },
    },
    socketOptions: { connectTimeout: settings.connectTimeoutMs, readTimeout: settings.queryTimeoutMs },
    queryOptions: {
      prepare: true,
      isIdempotent: true,
      consistency: types.consistencies[
        camel(settings.consistency) as keyof typeof types.consistencies
      ] as number,
    },
    encoding: { useBigIntAsLong: true, useBigIntAsVarint: true, map: Map },
    policies: { loadBalancing },
  };
}

/** `LOCAL_QUORUM` → the driver's `localQuorum`. */
export function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function consistencyOf(name: string): number {
  return types.consistencies[camel(name) as keyof typeof types.consistencies] as number;
}

/**
 * Connects: finds the local data centre when none is configured (the one the first reachable contact
 * point is in, as the legacy sink's driver did), then opens the writing client.
 */
export async function connectClient(settings: CassandraSettings): Promise<cassandra.Client> {
  let localDc = settings.localDc;
  if (localDc === '') {
    const probe = new cassandra.Client({
      ...clientOptions(settings, 'unknown'),
      localDataCenter: undefined,
      policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
      pooling: { coreConnectionsPerHost: { [types.distance.local]: 1, [types.distance.remote]: 1 } },
    });
    try {
      const rs = await probe.execute('SELECT data_center FROM system.local');
      localDc = String(rs.first()?.get('data_center') ?? '');
    } finally {
      await probe.shutdown();
    }
  }
  const client = new cassandra.Client(clientOptions(settings, localDc));
  try {
    await client.connect();
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    throw e;
  }
  return client;
}

function tlsOptions(tls: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: true };
  if (!tls.checkHostname) options.checkServerIdentity = () => undefined;
  if (tls.ciphers.length > 0) options.ciphers = tls.ciphers.join(':');
  if (tls.trustStore) {
    const store = readStore(tls.trustStore, KEYS.truststorePath);
    options.ca = store.ca;
  }
  if (tls.keyStore) {
    const store = readStore(tls.keyStore, KEYS.keystorePath);
    if (store.pfx) {
      options.pfx = store.pfx;
      options.passphrase = tls.keyStore.password;
    } else {
      options.cert = store.cert;
      options.key = store.key;
    }
  }
  if (tls.certChainPem && tls.privateKeyPem) {
    options.cert = readFile(tls.certChainPem, KEYS.opensslCertChain).toString('utf8');
    options.key = readFile(tls.privateKeyPem, KEYS.opensslPrivateKey).toString('utf8');
  }
  return options;
}

function readFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigException(key, `cannot read ${path}: ${(e as Error).message}`);
  }
}

interface Store {
  ca?: string[];
  cert?: string;
  key?: string;
  pfx?: Buffer;
}

/** A trust or key store file: PEM text, JKS (read with jks-js) or PKCS12 (handed to Node's TLS). */
export function readStore(file: StoreFile, key: string): Store {
  const bytes = readFile(file.path, key);
  const type =
    file.type ??
    (bytes.subarray(0, 64).toString('latin1').includes('-----BEGIN')
      ? 'PEM'
      : bytes.readUInt32BE(0) === 0xfeedfeed
        ? 'JKS'
        : 'PKCS12');
  if (type === 'PEM') {
    const text = bytes.toString('utf8');
    return {
      ca: text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [],
      cert: text,
      key: text,
    };
  }
  if (type === 'PKCS12') return { pfx: bytes, ca: pkcs12Certificates(bytes, file.password, key) };
  let entries: ReturnType<typeof jks.toPem>;
  try {
    entries = jks.toPem(bytes, file.password);
  } catch (e) {
    throw new ConfigException(
      key,
      `cannot read the JKS store ${file.path} (wrong password?): ${(e as Error).message}`,
    );
  }
  const store: Store = { ca: [] };
  for (const entry of Object.values(entries)) {
    if (entry.ca) store.ca!.push(entry.ca);
    if (entry.cert && entry.key) {
      store.cert = entry.cert;
      store.key = entry.key;
      store.ca!.push(entry.cert);
    }
  }
  return store;
}

function pkcs12Certificates(bytes: Buffer, password: string, key: string): string[] {
  try {
    return Object.values(jks.parsePkcs12(bytes, password)).flatMap((e) =>
      [e.ca, e.cert].filter((c): c is string => !!c),
    );
  } catch (e) {
    throw new ConfigException(key, `cannot read the PKCS12 store (wrong password?): ${(e as Error).message}`);
  }
}
