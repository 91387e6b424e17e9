import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { aptInstall, aptInstalled } from '../installers/apt.js';
import { javaBin } from '../installers/java.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// Apache ActiveMQ 5.17 "Classic" from Debian, run directly with java (the /usr/bin/activemq wrapper
// forces a 512 MiB heap, /var/lib/activemq and a `su` to its own user). XStream and Jettison are not
// in Debian's broker classpath, yet any STOMP `transformation` header (jms-map-json, jms-object-xml…)
// needs them: without them the broker drops the connection with NoClassDefFoundError.
const PACKAGES = ['activemq', 'libxstream-java', 'libjettison-java'];
const ACTIVEMQ_HOME = '/usr/share/activemq';
const TRANSFORMATION_JARS = ['/usr/share/java/xstream.jar', '/usr/share/java/jettison.jar'];
const HOST = '127.0.0.1';

function activemqXml(ctx: ServiceContext): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by test-infra for a test broker; see test-infra/README.md. -->
<beans xmlns="http://www.springframework.org/schema/beans" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <!-- No JMX and no web console: nothing listens beyond the two connectors below. -->
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="localhost" useJmx="false" persistent="false"
      dataDirectory="${path.join(ctx.dataDir, 'data')}">
    <!-- The default 1 GiB memory limit exceeds the small heap; keep it inside. -->
    <systemUsage><systemUsage><memoryUsage><memoryUsage percentOfJvmHeap="70"/></memoryUsage></systemUsage></systemUsage>
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://${HOST}:${ctx.ports.openwire}"/>
      <transportConnector name="stomp" uri="stomp://${HOST}:${ctx.ports.stomp}"/>
    </transportConnectors>
  </broker>
</beans>
`;
}

// Debian's broker logs through log4j 1.2 and ignores the log4j2.properties it ships.
const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=%d %-5p %c{1} - %m%n
`;

/** A STOMP CONNECT that the broker answers with a CONNECTED frame. */
function stompConnects(port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let received = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\0')) done(received.startsWith('CONNECTED\n'));
    });
    socket.connect(port, HOST, () => socket.write('CONNECT\naccept-version:1.2\nhost:localhost\n\n\0'));
  });
}

const activemq: ServiceDefinition = {
  name: 'activemq',
  prerequisites: { install: ['debian-root'], start: ['java17'] },
  ports: { stomp: 61613, openwire: 61616 },
  memory: '256 MiB max heap; ~90 MiB RSS idle',
  startTimeoutMs: 60_000,

  isInstalled: () => aptInstalled(PACKAGES),

  install: (ctx) => aptInstall(ctx, PACKAGES),

  async prepare(ctx) {
    const conf = path.join(ctx.dataDir, 'conf');
    const lib = path.join(ctx.dataDir, 'lib');
    for (const dir of [conf, lib, path.join(ctx.dataDir, 'data'), path.join(ctx.dataDir, 'tmp')]) {
      await mkdir(dir, { recursive: true });
    }
    // ACTIVEMQ_BASE/lib is on the broker's extension classpath.
    for (const jar of TRANSFORMATION_JARS) {
      const link = path.join(lib, path.basename(jar));
      if (!existsSync(link)) await symlink(jar, link); // a restarted private instance has them
    }
    await writeFile(path.join(conf, 'activemq.xml'), activemqXml(ctx));
    await writeFile(path.join(conf, 'log4j.properties'), LOG4J);
    return {
      command: javaBin(),
      args: [
        '-Xms128m',
        '-Xmx256m',
        '-XX:+ExitOnOutOfMemoryError',
        `-Djava.io.tmpdir=${path.join(ctx.dataDir, 'tmp')}`,
        '--add-reads=java.xml=java.logging',
        '--add-opens=java.base/java.lang=ALL-UNNAMED',
        '--add-opens=java.base/java.util=ALL-UNNAMED',
        `-Dactivemq.classpath=${conf}`,
        `-Dactivemq.home=${ACTIVEMQ_HOME}`,
        `-Dactivemq.base=${ctx.dataDir}`,
        `-Dactivemq.conf=${conf}`,
        `-Dactivemq.data=${path.join(ctx.dataDir, 'data')}`,
        '-jar',
        path.join(ACTIVEMQ_HOME, 'bin', 'activemq.jar'),
        'start',
        `xbean:file:${path.join(conf, 'activemq.xml')}`,
      ],
      cwd: ctx.dataDir,
    };
  },

  healthy: (ctx) => stompConnects(ctx.ports.stomp),

  info(ctx) {
    return {
      name: 'activemq',
      host: HOST,
      port: ctx.ports.stomp,
      url: `stomp://${HOST}:${ctx.ports.stomp}`,
      openwireUrl: `tcp://${HOST}:${ctx.ports.openwire}`,
      version: '5.17',
    };
  },
};

export default activemq;
