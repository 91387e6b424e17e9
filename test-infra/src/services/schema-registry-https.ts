import { mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import path from 'node:path';
import { servicePaths } from '../framework/paths.js';
import { javaBin } from '../installers/java.js';
import { isMarked } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';
import { tlsFilePaths } from '../tls-certificates.js';
import { kafkaTlsDir, kafkaTlsFiles } from './kafka.js';
import { apicurioArgs, apicurioHome } from './schema-registry.js';

// The schema registry as production ones are reached: HTTPS only, with HTTP basic auth. A second
// Apicurio (the `schema-registry` service's install) rather than the plain one with security added,
// because Quarkus secures paths, not ports: basic auth on the plain registry would lock out every test
// that uses it without credentials. TLS uses the server certificate of the `kafka` service's test PKI,
// so one CA (PEM, JKS or PKCS12) is trusted for the broker and the registry alike. Basic auth is
// Quarkus' own (HTTP basic against its embedded user list), checked on every path but /health.
const HOST = '127.0.0.1';
// Test-only credentials for a loopback registry, fixed so that a restart keeps what clients were given.
const USER = { username: 'sluice_registry', password: 'sluice-registry-secret' };

const base = (ctx: ServiceContext) => `https://${HOST}:${ctx.ports.https}`;
const ccompat = (ctx: ServiceContext) => `${base(ctx)}/apis/ccompat/v7`;
/** Where the shared `schema-registry` service installed Apicurio (installed first: a dependency). */
const registryInstallDir = (ctx: ServiceContext) => servicePaths(ctx.cacheDir, 'schema-registry').installDir;
/** The shared broker's data dir, which holds the test PKI. */
const kafkaDataDir = (ctx: ServiceContext) => servicePaths(ctx.cacheDir, 'kafka').dataDir;

/** An HTTPS request that trusts the test CA only; resolves with the status code. */
async function call(
  ctx: ServiceContext,
  method: string,
  url: string,
  opts: { auth?: boolean; body?: string } = {},
): Promise<number> {
  const ca = await readFile(kafkaTlsFiles(kafkaDataDir(ctx)).caPem);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        timeout: 3000,
        headers: {
          ...(opts.auth
            ? {
                authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`,
              }
            : {}),
          ...(opts.body ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.once('error', reject);
    req.end(opts.body);
  });
}

const schemaRegistryHttps: ServiceDefinition = {
  name: 'schema-registry-https',
  dependsOn: ['kafka', 'schema-registry'],
  prerequisites: { start: ['java17'] },
  ports: { https: 8444 },
  memory: '384 MiB heap (-Xmx384m)',
  startTimeoutMs: 120_000,

  async isInstalled(ctx) {
    return isMarked(apicurioHome(registryInstallDir(ctx)));
  },

  async install() {
    throw new Error(
      'schema-registry-https runs the schema-registry service install: `up schema-registry` first',
    );
  },

  async prepare(ctx) {
    const tmp = path.join(ctx.dataDir, 'tmp');
    await mkdir(tmp, { recursive: true });
    const pem = tlsFilePaths(kafkaTlsDir(kafkaDataDir(ctx)));
    const embedded = 'quarkus.security.users.embedded';
    return {
      command: javaBin(),
      args: apicurioArgs(registryInstallDir(ctx), tmp, [
        `-Dquarkus.http.host=${HOST}`,
        `-Dquarkus.http.ssl-port=${ctx.ports.https}`,
        // No plain-HTTP port at all.
        '-Dquarkus.http.insecure-requests=disabled',
        `-Dquarkus.http.ssl.certificate.files=${pem.serverCertFile}`,
        `-Dquarkus.http.ssl.certificate.key-files=${pem.serverKeyFile}`,
        '-Dquarkus.http.auth.basic=true',
        `-D${embedded}.enabled=true`,
        `-D${embedded}.plain-text=true`,
        `-D${embedded}.users.${USER.username}=${USER.password}`,
        '-Dquarkus.http.auth.permission.registry.paths=/*',
        '-Dquarkus.http.auth.permission.registry.policy=authenticated',
        '-Dquarkus.http.auth.permission.health.paths=/health/*',
        '-Dquarkus.http.auth.permission.health.policy=permit',
      ]),
      cwd: ctx.dataDir,
    };
  },

  // Ready over TLS verified with the Kafka PKI's CA (a registry left with a certificate of an earlier
  // PKI fails this and is restarted), and the API answers the test user.
  async healthy(ctx) {
    try {
      if ((await call(ctx, 'GET', `${base(ctx)}/health/ready`)) !== 200) return false;
      return (await call(ctx, 'GET', `${ccompat(ctx)}/subjects`, { auth: true })) === 200;
    } catch {
      return false;
    }
  },

  // As the plain registry: the default BACKWARD rule stored, so that GET /config reports it.
  async afterStart(ctx) {
    const status = await call(ctx, 'PUT', `${ccompat(ctx)}/config`, {
      auth: true,
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    if (status !== 200) throw new Error(`PUT ${ccompat(ctx)}/config answered ${status}`);
  },

  info(ctx) {
    const tls = kafkaTlsFiles(kafkaDataDir(ctx));
    return {
      name: 'schema-registry-https',
      host: HOST,
      port: ctx.ports.https,
      url: ccompat(ctx),
      username: USER.username,
      password: USER.password,
      tls: {
        caPem: tls.caPem,
        truststoreJks: tls.truststoreJks,
        truststoreP12: tls.truststoreP12,
        storePassword: tls.storePassword,
      },
    };
  },
};

export default schemaRegistryHttps;
