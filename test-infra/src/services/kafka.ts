import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { javaBin } from '../installers/java.js';
import { copyJarsWithDependencies } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// Apache Kafka in KRaft mode (combined broker + controller, one node) from the Maven Central jars.
const VERSION = '3.9.1';
const HOST = '127.0.0.1';

const home = (ctx: ServiceContext) => path.join(ctx.installDir, `kafka-${VERSION}`);
const classpath = (ctx: ServiceContext) => path.join(home(ctx), 'lib', '*');

function serverProperties(ctx: ServiceContext): string {
  return `# Written by test-infra for a single-node test broker; see test-infra/README.md.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${ctx.ports.controller}
listeners=PLAINTEXT://${HOST}:${ctx.ports.client},CONTROLLER://${HOST}:${ctx.ports.controller}
advertised.listeners=PLAINTEXT://${HOST}:${ctx.ports.client}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
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

const kafka: ServiceDefinition = {
  name: 'kafka',
  prerequisites: { install: ['maven'], start: ['java17'] },
  ports: { client: 9092, controller: 9093 },
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

  async healthy(ctx) {
    const admin = new Kafka({
      clientId: 'sluice-test-infra-health',
      brokers: [`${HOST}:${ctx.ports.client}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      requestTimeout: 5000,
      retry: { retries: 0 },
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
  },

  info(ctx) {
    const port = ctx.ports.client;
    return { name: 'kafka', host: HOST, port, bootstrapServers: `${HOST}:${port}` };
  },
};

export default kafka;
