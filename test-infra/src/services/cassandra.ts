import { readdir, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { javaBin } from '../installers/java.js';
import { copyJarsWithDependencies } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// Apache Cassandra 5.0 from the `cassandra-all` jar and its dependencies on Maven Central, started by
// running CassandraDaemon directly (what bin/cassandra ends up doing) on Java 17.
const VERSION = '5.0.5';
const HOST = '127.0.0.1';
// The data centre SimpleSnitch reports; drivers need it as their local data centre.
const DATA_CENTER = 'datacenter1';

const libDir = (ctx: ServiceContext) => path.join(ctx.installDir, `cassandra-${VERSION}`, 'lib');

// conf/jvm17-server.options of Cassandra 5.0: the module openings and exports it needs on Java 17.
const JAVA17_FLAGS = [
  '-Djdk.attach.allowAttachSelf=true',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
  ...[
    'java.base/jdk.internal.misc',
    'java.base/jdk.internal.ref',
    'java.base/sun.nio.ch',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.rmi/sun.rmi.transport.tcp',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].flatMap((pkg) => ['--add-exports', `${pkg}=ALL-UNNAMED`]),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
    'java.base/java.nio',
    'java.base/java.net',
    'java.base/java.util.concurrent',
    'java.base/java.util.concurrent.atomic',
  ].flatMap((pkg) => ['--add-opens', `${pkg}=ALL-UNNAMED`]),
];

function cassandraYaml(ctx: ServiceContext): string {
  return `# Written by test-infra for a single-node test cluster; see test-infra/README.md.
cluster_name: sluice-it
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${HOST}:${ctx.ports.storage}"
listen_address: ${HOST}
rpc_address: ${HOST}
storage_port: ${ctx.ports.storage}
native_transport_port: ${ctx.ports.cql}
start_native_transport: true
# Data, commit log, hints and caches all go under -Dcassandra.storagedir.
commitlog_sync: periodic
commitlog_sync_period: 10000ms
concurrent_compactors: 1
# Tests drop keyspaces all the time; a snapshot per DROP only fills the disk.
auto_snapshot: false
# A fresh single node has no 4.x peers to stay compatible with.
storage_compatibility_mode: NONE
`;
}

const LOGBACK = `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
`;

/**
 * A CQL native-protocol OPTIONS request (v4 frame, stream 0); the server answers SUPPORTED (opcode 6)
 * only once the native transport, the last thing Cassandra starts, is accepting clients.
 */
function cqlAnswersOptions(port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (frame) => done(frame.length >= 9 && frame[0] === 0x84 && frame[4] === 0x06));
    socket.connect(port, HOST, () => socket.write(Buffer.from([0x04, 0, 0, 0, 0x05, 0, 0, 0, 0])));
  });
}

const cassandra: ServiceDefinition = {
  name: 'cassandra',
  prerequisites: { install: ['maven'], start: ['java17'] },
  ports: { cql: 9042, storage: 7000, jmx: 7199 },
  memory: '1 GiB heap; ~1.5 GiB RSS',
  startTimeoutMs: 180_000,

  async isInstalled(ctx) {
    return isMarked(libDir(ctx));
  },

  async install(ctx) {
    ctx.progress(
      `downloading org.apache.cassandra:cassandra-all:${VERSION} and its dependencies from Maven Central`,
    );
    await copyJarsWithDependencies(
      ctx,
      [{ groupId: 'org.apache.cassandra', artifactId: 'cassandra-all', version: VERSION }],
      libDir(ctx),
    );
    await mark(libDir(ctx));
  },

  async prepare(ctx) {
    const jamm = (await readdir(libDir(ctx))).find((f) => /^jamm-.*\.jar$/.test(f));
    if (!jamm) throw new Error(`no jamm jar in ${libDir(ctx)}; reinstall with \`rm -rf ${ctx.installDir}\``);
    const yaml = path.join(ctx.dataDir, 'cassandra.yaml');
    const logback = path.join(ctx.dataDir, 'logback.xml');
    await writeFile(yaml, cassandraYaml(ctx));
    await writeFile(logback, LOGBACK);
    return {
      command: javaBin(),
      args: [
        // A private instance (an outage test's) runs beside the shared one: half its heap.
        ...(ctx.instance === 'private' ? ['-Xms512m', '-Xmx512m'] : ['-Xms1g', '-Xmx1g']),
        '-Xss512k',
        '-XX:+UseG1GC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.net.preferIPv4Stack=true',
        ...JAVA17_FLAGS,
        // Cassandra measures object sizes with the jamm agent; without it the daemon dies at start.
        `-javaagent:${path.join(libDir(ctx), jamm)}`,
        `-Dcassandra.config=file://${yaml}`,
        `-Dcassandra.storagedir=${path.join(ctx.dataDir, 'data')}`,
        `-Dcassandra.logdir=${path.join(ctx.dataDir, 'logs')}`,
        `-Dlogback.configurationFile=${logback}`,
        '-Dcassandra-foreground=yes',
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        // JMX on loopback only, for nodetool.
        `-Dcassandra.jmx.local.port=${ctx.ports.jmx}`,
        `-Djava.rmi.server.hostname=${HOST}`,
        '-cp',
        path.join(libDir(ctx), '*'),
        'org.apache.cassandra.service.CassandraDaemon',
      ],
      cwd: ctx.dataDir,
    };
  },

  healthy: (ctx) => cqlAnswersOptions(ctx.ports.cql),

  info(ctx) {
    return {
      name: 'cassandra',
      host: HOST,
      port: ctx.ports.cql,
      contactPoints: [`${HOST}:${ctx.ports.cql}`],
      localDataCenter: DATA_CENTER,
      version: VERSION,
    };
  },
};

export default cassandra;
