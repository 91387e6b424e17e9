import { MongoClient, type AuthMechanism as DriverAuthMechanism, type MongoClientOptions } from 'mongodb';
import { ConfigException, readKeyFile } from '@sluice/core/sink';
import {
  AUTH_MECHANISM,
  SSL_KEYSTORE_LOCATION,
  SSL_TRUSTSTORE_LOCATION,
  SSL_TRUSTSTORE_TYPE,
  type MongoSinkConfig,
} from './config.js';

// The MongoClient of one task. Credentials and TLS material are options of this client only; the
// reference pushed them into JVM-wide javax.net.ssl.* properties, shared by every connector (#414).

/** Mechanisms whose users live outside a database, so the auth source is `$external`. */
const EXTERNAL = new Set(['MONGODB-X509', 'PLAIN', 'GSSAPI']);

export function mongoClientOptions(config: MongoSinkConfig): MongoClientOptions {
  const options: MongoClientOptions = { appName: 'sluice-sink-mongodb' };
  if (config.username !== '') {
    const mechanism = config.authMechanism;
    const passwordless = mechanism === 'MONGODB-X509' || mechanism === 'GSSAPI';
    if (!passwordless && config.password === '') {
      throw new ConfigException(
        AUTH_MECHANISM,
        `${mechanism} needs connect.mongo.password for user ${config.username}.`,
      );
    }
    options.auth = passwordless
      ? { username: config.username }
      : { username: config.username, password: config.password };
    options.authMechanism = mechanism as DriverAuthMechanism;
    options.authSource = config.authSource || (EXTERNAL.has(mechanism) ? '$external' : config.database);
  }
  if (usesTls(config.connection)) Object.assign(options, tlsOptions(config));
  return options;
}

export function createMongoClient(config: MongoSinkConfig): MongoClient {
  return new MongoClient(config.connection, mongoClientOptions(config));
}

/** As in Stream Reactor, TLS is switched on by the URI (`tls=true` / `ssl=true`, or mongodb+srv). */
export function usesTls(uri: string): boolean {
  if (uri.startsWith('mongodb+srv://')) return !/[?&](tls|ssl)=false/i.test(uri);
  return /[?&](tls|ssl)=true/i.test(uri);
}

function tlsOptions(config: MongoSinkConfig): MongoClientOptions {
  const { trustStore, keyStore, keyPassword, checkHostname } = config.tls;
  const options: MongoClientOptions = { tls: true };
  if (!checkHostname) options.tlsAllowInvalidHostnames = true;
  if (trustStore) {
    if (trustStore.type !== 'PEM') {
      throw new ConfigException(
        SSL_TRUSTSTORE_TYPE,
        `Node.js cannot use a ${trustStore.type} file as a trust store. Export the CA certificates to PEM ` +
          `(openssl pkcs12 -in ${trustStore.path} -nokeys -out ca.pem) and set ${SSL_TRUSTSTORE_TYPE}=PEM.`,
      );
    }
    options.ca = readKeyFile(trustStore.path, SSL_TRUSTSTORE_LOCATION);
  }
  if (keyStore) {
    const bytes = readKeyFile(keyStore.path, SSL_KEYSTORE_LOCATION);
    if (keyStore.type === 'PEM') {
      options.cert = bytes;
      options.key = bytes;
      if (keyPassword) options.passphrase = keyPassword;
    } else {
      options.pfx = bytes;
      if (keyStore.password) options.passphrase = keyStore.password;
    }
  }
  return options;
}
