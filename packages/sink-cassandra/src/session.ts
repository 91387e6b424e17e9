import type { ConnectionOptions } from 'node:tls';
import cassandra from 'cassandra-driver';
import type { CassandraSettings, TlsSettings } from './config.js';

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
    sslOptions: settings.tls ? sslOptions(settings.tls) : undefined,
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

function sslOptions(tls: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = { ...tls.secure, rejectUnauthorized: true };
  if (!tls.checkHostname) options.checkServerIdentity = () => undefined;
  if (tls.ciphers.length > 0) options.ciphers = tls.ciphers.join(':');
  return options;
}
