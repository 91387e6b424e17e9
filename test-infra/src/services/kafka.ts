import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { javaBin, keytoolBin } from '../installers/java.js';
import { copyJarsWithDependencies } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';
import { generateTlsFiles, tlsFilePaths } from '../tls-certificates.js';

// Apache Kafka in KRaft mode (combined broker + controller, one node) from the Maven Central jars.
// Four client listeners, as production brokers are set up: PLAINTEXT; SASL_SSL (SCRAM-SHA-512,
// SCRAM-SHA-256 and PLAIN); SSL that requires a client certificate (mTLS); SASL_PLAINTEXT. The brokers
// talk to each other (and the controller) over PLAINTEXT.
// Kafka Connect (the benchmarks' Java peer, src/kafka-connect.ts) is installed at this version too.
export const KAFKA_VERSION = '3.9.1';
const VERSION = KAFKA_VERSION;
const HOST = '127.0.0.1';

// Test-only credentials on a loopback broker: fixed, so that a restart keeps what clients were given.
export const KAFKA_STORE_PASSWORD = 'sluice-store-secret';
const SCRAM_USER = { username: 'sluice_scram', password: 'sluice-scram-secret' };
const PLAIN_USER = { username: 'sluice_plain', password: 'sluice-plain-secret' };
const SCRAM_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const;
const SASL_LISTENERS = ['sasl_ssl', 'sasl_plaintext'] as const;

/** The test PKI's directory inside a Kafka data dir (schema-registry-https serves a certificate of it too). */
export const kafkaTlsDir = (dataDir: string) => path.join(dataDir, 'tls');
const tlsDir = (ctx: ServiceContext) => kafkaTlsDir(ctx.dataDir);

/** The client-side files of the test PKI, in every format a Kafka client may be given. */
export function kafkaTlsFiles(dataDir: string) {
  const dir = kafkaTlsDir(dataDir);
  const pem = tlsFilePaths(dir);
  return {
    caPem: pem.caFile,
    truststoreJks: path.join(dir, 'truststore.jks'),
    truststoreP12: path.join(dir, 'truststore.p12'),
    keystoreJks: path.join(dir, 'client.keystore.jks'),
    keystoreP12: path.join(dir, 'client.keystore.p12'),
    clientCertPem: pem.clientCertFile,
    clientKeyPem: pem.clientKeyFile,
    storePassword: KAFKA_STORE_PASSWORD,
  };
}
const serverKeystore = (ctx: ServiceContext) => path.join(tlsDir(ctx), 'server.keystore.p12');

const home = (ctx: ServiceContext) => path.join(ctx.installDir, `kafka-${VERSION}`);
const classpath = (ctx: ServiceContext) => path.join(home(ctx), 'lib', '*');

const clientListeners = (ctx: ServiceContext) =>
  [
    `PLAINTEXT://${HOST}:${ctx.ports.client}`,
    `SASL_SSL://${HOST}:${ctx.ports.saslSsl}`,
    `SSL://${HOST}:${ctx.ports.ssl}`,
    `SASL_PLAINTEXT://${HOST}:${ctx.ports.saslPlaintext}`,
  ].join(',');

function serverProperties(ctx: ServiceContext): string {
  const tls = kafkaTlsFiles(ctx.dataDir);
  return `# Written by test-infra for a single-node test broker; see test-infra/README.md.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${ctx.ports.controller}
listeners=${clientListeners(ctx)},CONTROLLER://${HOST}:${ctx.ports.controller}
advertised.listeners=${clientListeners(ctx)}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT
# TLS (SASL_SSL and SSL listeners): the server certificate for 127.0.0.1/localhost signed by the test CA.
ssl.keystore.type=PKCS12
ssl.keystore.location=${serverKeystore(ctx)}
ssl.keystore.password=${KAFKA_STORE_PASSWORD}
ssl.truststore.type=JKS
ssl.truststore.location=${tls.truststoreJks}
ssl.truststore.password=${KAFKA_STORE_PASSWORD}
# The SSL listener is mutual TLS: a client without a certificate the test CA signed is refused.
listener.name.ssl.ssl.client.auth=required
sasl.enabled.mechanisms=${[...SCRAM_MECHANISMS, 'PLAIN'].join(',')}
${SASL_LISTENERS.map(
  (
    l,
  ) => `listener.name.${l}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${PLAIN_USER.username}="${PLAIN_USER.password}";
${SCRAM_MECHANISMS.map((m) => `listener.name.${l}.${m.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`).join('\n')}`,
).join('\n')}
log.dirs=${path.join(ctx.dataDir, 'logs')}
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
# Few internal partitions: the first consumer group and transaction start much faster on 2 cores.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# Test data is short-lived.
log.retention.hours=1
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
`;
}

const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
`;

function jvmOptions(ctx: ServiceContext): string[] {
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${path.join(ctx.dataDir, 'log4j.properties')}`,
    '-cp',
    classpath(ctx),
  ];
}

/**
 * The test PKI (made once per data dir: a restarted broker keeps the CA its clients trust) and its
 * stores: the broker's PKCS12 key store, and for clients the CA as JKS and PKCS12 trust stores and the
 * client certificate as JKS and PKCS12 key stores (`keytool` from the JDK writes the JKS ones).
 */
async function ensureStores(ctx: ServiceContext): Promise<void> {
  const files = kafkaTlsFiles(ctx.dataDir);
  if (existsSync(files.keystoreJks)) return;
  const dir = tlsDir(ctx);
  const pem = await generateTlsFiles(ctx, dir);
  const pass = KAFKA_STORE_PASSWORD;
  const p12 = (cert: string, key: string, name: string, out: string) =>
    ctx.run(
      'openssl',
      ['pkcs12', '-export', '-in', cert, '-inkey', key, '-certfile', pem.caFile, '-name', name].concat([
        '-out',
        out,
        '-passout',
        `pass:${pass}`,
      ]),
      { cwd: dir },
    );
  await p12(pem.serverCertFile, pem.serverKeyFile, 'kafka', serverKeystore(ctx));
  await p12(pem.clientCertFile, pem.clientKeyFile, 'sluice-client', files.keystoreP12);
  const keytool = (...args: string[]) => ctx.run(keytoolBin(), args, { cwd: dir });
  for (const [type, out] of [
    ['JKS', files.truststoreJks],
    ['PKCS12', files.truststoreP12],
  ] as const) {
    await keytool(
      '-importcert',
      '-noprompt',
      '-alias',
      'sluice-test-ca',
      '-file',
      pem.caFile,
      '-keystore',
      out,
      '-storetype',
      type,
      '-storepass',
      pass,
    );
  }
  await keytool(
    '-importkeystore',
    '-noprompt',
    '-srckeystore',
    files.keystoreP12,
    '-srcstoretype',
    'PKCS12',
    '-srcstorepass',
    pass,
    '-destkeystore',
    files.keystoreJks,
    '-deststoretype',
    'JKS',
    '-deststorepass',
    pass,
  );
}

/** Whether an admin client with `config` reaches a broker that knows its controller. */
async function answers(config: KafkaConfig): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'sluice-test-infra-health',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    ...config,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const kafka: ServiceDefinition = {
  name: 'kafka',
  prerequisites: { install: ['maven'], start: ['java17'] },
  ports: { client: 9092, controller: 9093, saslSsl: 9094, ssl: 9095, saslPlaintext: 9096 },
  memory: '512 MiB heap (-Xmx512m)',
  startTimeoutMs: 90_000,

  async isInstalled(ctx) {
    return isMarked(home(ctx));
  },

  async install(ctx) {
    await rm(home(ctx), { recursive: true, force: true });
    ctx.progress(`downloading Apache Kafka ${VERSION} jars from Maven Central`);
    await copyJarsWithDependencies(
      ctx,
      [
        { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: VERSION },
        // Kafka 3.x jars carry no SLF4J binding: without one the broker logs nothing.
        { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
      ],
      path.join(home(ctx), 'lib'),
    );
    await mark(home(ctx));
  },

  async prepare(ctx) {
    const props = path.join(ctx.dataDir, 'server.properties');
    await ensureStores(ctx);
    await writeFile(props, serverProperties(ctx));
    await writeFile(path.join(ctx.dataDir, 'log4j.properties'), LOG4J);
    // A KRaft log dir must be formatted with a cluster id before the first start (only: a private
    // instance started again keeps its log dir and cluster id).
    if (!existsSync(path.join(ctx.dataDir, 'logs', 'meta.properties'))) {
      const clusterId = randomBytes(16).toString('base64url');
      ctx.progress('formatting the KRaft storage');
      await ctx.run(javaBin(), [
        ...jvmOptions(ctx),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        props,
      ]);
    }
    return { command: javaBin(), args: [...jvmOptions(ctx), 'kafka.Kafka', props], cwd: ctx.dataDir };
  },

  // The PLAINTEXT listener and the mTLS one (the TLS set-up): a broker started before the secured
  // listeners existed fails this and is restarted. SASL is proven by the users after start.
  async healthy(ctx) {
    const tls = kafkaTlsFiles(ctx.dataDir);
    const [ca, cert, key] = await Promise.all(
      [tls.caPem, tls.clientCertPem, tls.clientKeyPem].map((f) => readFile(f, 'utf8')),
    );
    const [plain, mtls] = await Promise.all([
      answers({ brokers: [`${HOST}:${ctx.ports.client}`] }),
      answers({ brokers: [`${HOST}:${ctx.ports.ssl}`], ssl: { ca, cert, key } }),
    ]);
    return plain && mtls;
  },

  // SCRAM users live in the cluster metadata: created (or their passwords reset) once the broker runs,
  // one mechanism per call (a request may not alter one user's credentials twice).
  async afterStart(ctx) {
    for (const mechanism of SCRAM_MECHANISMS) {
      await ctx.run(javaBin(), [
        ...jvmOptions(ctx),
        'kafka.admin.ConfigCommand',
        '--bootstrap-server',
        `${HOST}:${ctx.ports.client}`,
        '--alter',
        '--add-config',
        `${mechanism}=[password=${SCRAM_USER.password}]`,
        '--entity-type',
        'users',
        '--entity-name',
        SCRAM_USER.username,
      ]);
    }
  },

  info(ctx) {
    const port = ctx.ports.client;
    return {
      name: 'kafka',
      host: HOST,
      port,
      bootstrapServers: `${HOST}:${port}`,
      listeners: {
        plaintext: port,
        saslSsl: ctx.ports.saslSsl,
        ssl: ctx.ports.ssl,
        saslPlaintext: ctx.ports.saslPlaintext,
      },
      users: [
        ...SCRAM_MECHANISMS.map((mechanism) => ({ mechanism, ...SCRAM_USER })),
        { mechanism: 'PLAIN', ...PLAIN_USER },
      ],
      // The broker's own key store (certificate for 127.0.0.1/localhost) is reported too: tests serve
      // HTTPS with it (a worker's REST listener), so that one CA is trusted for everything.
      tls: { ...kafkaTlsFiles(ctx.dataDir), serverKeystoreP12: serverKeystore(ctx) },
    };
  },
};

export default kafka;
