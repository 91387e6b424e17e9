import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { tlsOptions } from '@sluice/core/sink';
import type { ElasticSettings } from './config.js';

// The @elastic/elasticsearch client of one task: its nodes, credentials and TLS material (the kit
// reads the ssl.* stores: JKS, PKCS12 or PEM). The client tries another node once when there are
// several; longer outages are the error policy's (RETRY).

export function clientOptions(settings: ElasticSettings): ClientOptions {
  const options: ClientOptions = {
    nodes: [...settings.nodes],
    requestTimeout: settings.writeTimeoutMs,
    maxRetries: settings.nodes.length > 1 ? 1 : 0,
    compression: false,
    enableMetaHeader: false,
    name: 'sluice-sink-elastic',
  };
  if (settings.auth.kind === 'basic') {
    options.auth = { username: settings.auth.username, password: settings.auth.password };
  } else if (settings.auth.kind === 'apiKey') {
    const key = settings.auth.apiKey;
    // `id:key` as Elasticsearch prints it on creation, or the base64 `encoded` form.
    options.auth = { apiKey: key.includes(':') ? Buffer.from(key).toString('base64') : key };
  }
  if (settings.nodes.some((n) => n.startsWith('https:'))) {
    const tls: TlsOptions = { ...tlsOptions(settings.tls) };
    if (!settings.tls.checkHostname) tls.checkServerIdentity = () => undefined;
    options.tls = tls;
  }
  return options;
}

export function createClient(settings: ElasticSettings): Client {
  return new Client(clientOptions(settings));
}
