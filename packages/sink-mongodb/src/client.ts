import { MongoClient, type AuthMechanism as DriverAuthMechanism, type MongoClientOptions } from 'mongodb';
import type { MongoSinkConfig } from './config.js';

// The MongoClient of one task. Credentials and TLS material are options of this client only; the
// reference pushed them into JVM-wide javax.net.ssl.* properties, shared by every connector (#414).

/** Mechanisms whose users live outside a database, so the auth source is `$external`. */
const EXTERNAL = new Set(['MONGODB-X509', 'PLAIN', 'GSSAPI']);

export function mongoClientOptions(config: MongoSinkConfig): MongoClientOptions {
  const options: MongoClientOptions = { appName: 'sluice-sink-mongodb' };
  if (config.username !== '') {
    const mechanism = config.authMechanism;
    const passwordless = mechanism === 'MONGODB-X509' || mechanism === 'GSSAPI';
    options.auth = passwordless
      ? { username: config.username }
      : { username: config.username, password: config.password };
    options.authMechanism = mechanism as DriverAuthMechanism;
    options.authSource = config.authSource || (EXTERNAL.has(mechanism) ? '$external' : config.database);
  }
  if (config.tls) {
    const { checkHostname, ...secureContext } = config.tls;
    Object.assign(options, secureContext, { tls: true });
    if (!checkHostname) options.tlsAllowInvalidHostnames = true;
  }
  return options;
}

/** The driver connects on first use: a server that is down at start is handled by the error policy like one that goes down later. */
export function createMongoClient(config: MongoSinkConfig): MongoClient {
  return new MongoClient(config.connection, mongoClientOptions(config));
}
