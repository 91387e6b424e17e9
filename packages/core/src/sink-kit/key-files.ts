import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { toPem } from 'jks-js';
import { ConfigDef, validators, type ConfigValue } from '../config/def.js';
import { ConfigException } from '../errors.js';
import { secretValue } from '../sink/stream-reactor-config.js';

// Key and certificate files named by config keys, and Stream Reactor's TLS key groups (Kafka's
// `ssl.keystore.*` / `ssl.truststore.*` keys: JKS, PKCS12 or PEM) turned into node's TLS options.
// Every failure names the key to fix: an unreadable file its location key, a wrong password its
// password key.

/** Reads the file named by config key `key`; a ConfigException naming the key when it cannot. */
export function readKeyFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigException(key, `cannot read ${path}: ${(e as Error).message}`);
  }
}

export const STORE_TYPES = ['JKS', 'PKCS12', 'PEM'] as const;
export type StoreType = (typeof STORE_TYPES)[number];

/** The names of one TLS key group; `prefix` 'ssl' gives Kafka's `ssl.keystore.location` etc. */
export function sslKeyNames(prefix = 'ssl') {
  return {
    truststoreLocation: `${prefix}.truststore.location`,
    truststorePassword: `${prefix}.truststore.password`,
    truststoreType: `${prefix}.truststore.type`,
    keystoreLocation: `${prefix}.keystore.location`,
    keystorePassword: `${prefix}.keystore.password`,
    keystoreType: `${prefix}.keystore.type`,
    keyPassword: `${prefix}.key.password`,
  } as const;
}

/** Adds the key/trust store keys of `prefix` (default Kafka's `ssl.*`, type default JKS) to `def`. */
export function defineSslKeys(def: ConfigDef, prefix = 'ssl', group = 'TLS'): ConfigDef {
  const k = sslKeyNames(prefix);
  const store = (what: 'truststore' | 'keystore', doc: string) => {
    const names =
      what === 'truststore'
        ? [k.truststoreLocation, k.truststorePassword, k.truststoreType]
        : [k.keystoreLocation, k.keystorePassword, k.keystoreType];
    def
      .define({ name: names[0]!, type: 'STRING', default: '', importance: 'MEDIUM', group, doc })
      .define({
        name: names[1]!,
        type: 'PASSWORD',
        default: '',
        importance: 'MEDIUM',
        group,
        doc: `Password of ${names[0]} (JKS and PKCS12; a PEM file has none).`,
      })
      .define({
        name: names[2]!,
        type: 'STRING',
        default: 'JKS',
        importance: 'LOW',
        group,
        validator: validators.oneOf([...STORE_TYPES]),
        recommendedValues: [...STORE_TYPES],
        doc: `Format of ${names[0]}: JKS, PKCS12 or PEM.`,
      });
  };
  store('truststore', 'File of the CA certificates to trust (JKS, PKCS12 or PEM); empty: the system CAs.');
  store(
    'keystore',
    'File of the client certificate and its private key, for mutual TLS (JKS, PKCS12 or PEM).',
  );
  return def.define({
    name: k.keyPassword,
    type: 'PASSWORD',
    default: '',
    importance: 'LOW',
    group,
    doc: 'Password of the private key when it differs from the key store password (JKS) or is encrypted (PEM).',
  });
}

export interface StoreFile {
  readonly path: string;
  readonly type: StoreType;
  readonly password: string;
}

export interface SslSettings {
  readonly trustStore: StoreFile | null;
  readonly keyStore: StoreFile | null;
  readonly keyPassword: string;
  /** The key names, for errors. */
  readonly keys: ReturnType<typeof sslKeyNames>;
}

/**
 * Reads a TLS key group from parsed values. Cross-key errors (a JKS or PKCS12 store without its
 * password) are ConfigExceptions on the password key, so that validate reports them there.
 */
export function sslSettings(parsed: Record<string, ConfigValue>, prefix = 'ssl'): SslSettings {
  const keys = sslKeyNames(prefix);
  const store = (location: string, password: string, type: string): StoreFile | null => {
    const path = String(parsed[location] ?? '').trim();
    if (path === '') return null;
    const storeType = String(parsed[type] ?? 'JKS').toUpperCase() as StoreType;
    const secret = secretValue(parsed[password]);
    if (storeType !== 'PEM' && secret === '') {
      throw new ConfigException(password, `${location} is a ${storeType} store, which needs its password.`);
    }
    return { path, type: storeType, password: secret };
  };
  return {
    trustStore: store(keys.truststoreLocation, keys.truststorePassword, keys.truststoreType),
    keyStore: store(keys.keystoreLocation, keys.keystorePassword, keys.keystoreType),
    keyPassword: secretValue(parsed[keys.keyPassword]),
    keys,
  };
}

/** node's TLS options (ca, cert, key, pfx, passphrase) for the stores; reads and checks each file. */
export function tlsOptions(settings: SslSettings): SecureContextOptions {
  const { keys } = settings;
  const options: SecureContextOptions = {};
  const trust = settings.trustStore;
  if (trust) {
    const bytes = readKeyFile(trust.path, keys.truststoreLocation);
    if (trust.type === 'PEM') options.ca = bytes;
    else if (trust.type === 'JKS') {
      const entries = Object.values(fromJks(bytes, trust.password, keys.truststorePassword));
      options.ca = entries.flatMap((e) => [e.ca, e.cert].filter((c): c is string => !!c));
    } else {
      // A PKCS12 trust store holds certificates only; node reads them through `pfx` as CAs.
      checkPkcs12(bytes, trust.password, keys.truststorePassword);
      options.pfx = [{ buf: bytes, passphrase: trust.password }];
    }
  }
  const key = settings.keyStore;
  if (key) {
    const bytes = readKeyFile(key.path, keys.keystoreLocation);
    if (key.type === 'PEM') {
      options.cert = bytes;
      options.key = bytes;
      if (settings.keyPassword !== '') options.passphrase = settings.keyPassword;
      check({ ...options }, keys.keyPassword, 'the key password is wrong or the file holds no key');
    } else if (key.type === 'JKS') {
      const pem = fromJks(bytes, key.password, keys.keystorePassword, settings.keyPassword || undefined);
      const entry = Object.values(pem).find((e) => e.key && e.cert);
      if (!entry) throw new ConfigException(keys.keystoreLocation, `${key.path} holds no private key entry.`);
      options.cert = entry.cert;
      options.key = entry.key;
    } else {
      checkPkcs12(bytes, key.password, keys.keystorePassword);
      options.pfx = [
        ...((options.pfx as { buf: Buffer; passphrase: string }[] | undefined) ?? []),
        { buf: bytes, passphrase: key.password },
      ];
    }
  }
  return options;
}

function fromJks(bytes: Buffer, password: string, passwordKey: string, keyPassword?: string) {
  try {
    return toPem(bytes, password, keyPassword);
  } catch (e) {
    throw new ConfigException(
      passwordKey,
      `cannot open the JKS store: ${(e as Error).message} (is the password right?)`,
    );
  }
}

function checkPkcs12(bytes: Buffer, password: string, passwordKey: string): void {
  check(
    { pfx: bytes, passphrase: password },
    passwordKey,
    'cannot open the PKCS12 store (is the password right?)',
  );
}

// createSecureContext parses what it is given the way a connection would, so a wrong password fails
// here, at start and validate, rather than on the first connection.
function check(options: SecureContextOptions, key: string, message: string): void {
  try {
    createSecureContext(options);
  } catch (e) {
    throw new ConfigException(key, `${message}: ${(e as Error).message}`);
  }
}
