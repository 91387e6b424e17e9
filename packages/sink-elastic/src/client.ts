import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { ConfigException } from '@sluice/core';
import { SSL_KEYSTORE_LOCATION, SSL_TRUSTSTORE_LOCATION, type ElasticSettings } from './config.js';

// The @elastic/elasticsearch client of one task: its nodes, credentials and TLS material. The client
// retries a request on another node once; longer outages are the error policy's (RETRY).

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
  if (settings.nodes.some((n) => n.startsWith('https:'))) options.tls = tlsOptions(settings);
  return options;
}

export function createClient(settings: ElasticSettings): Client {
  return new Client(clientOptions(settings));
}

function tlsOptions(settings: ElasticSettings): TlsOptions {
  const { trustStore, keyStore, keyPassword, checkHostname } = settings.tls;
  const tls: TlsOptions = {};
  if (!checkHostname) tls.checkServerIdentity = () => undefined;
  if (trustStore) {
    const bytes = read(trustStore.path, SSL_TRUSTSTORE_LOCATION);
    if (trustStore.type === 'PEM') tls.ca = bytes;
    else {
      // Node takes CA certificates from a PKCS12 file through `pfx` only with a key; ask for PEM.
      throw new ConfigException(
        SSL_TRUSTSTORE_LOCATION,
        `Node.js cannot use a PKCS12 file as a list of trusted CAs. Export them to PEM (openssl pkcs12 -in ${trustStore.path} -nokeys -out ca.pem) and set ssl.truststore.type=PEM.`,
      );
    }
  }
  if (keyStore) {
    const bytes = read(keyStore.path, SSL_KEYSTORE_LOCATION);
    if (keyStore.type === 'PEM') {
      tls.cert = bytes;
      tls.key = bytes;
      if (keyPassword) tls.passphrase = keyPassword;
    } else {
      tls.pfx = bytes;
      if (keyStore.password) tls.passphrase = keyStore.password;
    }
  }
  return tls;
}

function read(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigException(key, `cannot read ${path}: ${(e as Error).message}`);
  }
}
