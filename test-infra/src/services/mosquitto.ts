import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { aptInstall, aptInstalled } from '../installers/apt.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';
import { generateTlsFiles, tlsFilePaths, type TlsFiles } from '../tls-certificates.js';

// Eclipse Mosquitto from Debian, run in the foreground with our own config (not the system service).
// Two listeners: plain MQTT on 1883, and MQTT over TLS on 8883 that requires a client certificate. The
// certificates are made anew at every start, in the data dir (info() says where).
const HOST = '127.0.0.1';
const mqttUrl = (ctx: ServiceContext) => `mqtt://${HOST}:${ctx.ports.mqtt}`;
const mqttsUrl = (ctx: ServiceContext) => `mqtts://${HOST}:${ctx.ports.mqtts}`;
const PACKAGES = ['mosquitto', 'openssl'];

const tlsDir = (ctx: ServiceContext) => path.join(ctx.dataDir, 'tls');
const tlsFiles = (ctx: ServiceContext): TlsFiles => tlsFilePaths(tlsDir(ctx));

const config = (
  ctx: ServiceContext,
  tls: TlsFiles,
  runAsRoot: boolean,
) => `# Written by test-infra: an anonymous broker on loopback for tests.
${runAsRoot ? '# Started by root: stay root, the user mosquitto cannot reach a cache under a private home (/root is 0700).\nuser root\n' : ''}per_listener_settings false
allow_anonymous true
${
  ctx.instance === 'private'
    ? `# A private instance keeps retained messages and sessions across its stop and start (saved on exit).
persistence true
persistence_location ${ctx.dataDir}/`
    : 'persistence false'
}
# Without this Mosquitto lets Nagle hold back small packets (PUBACK/PUBCOMP), which caps QoS 1/2 throughput.
set_tcp_nodelay true
log_dest stdout
log_type error
log_type warning
log_type notice
listener ${ctx.ports.mqtt} ${HOST}

# Mutual TLS: the client must present a certificate signed by the test CA. Still anonymous: the
# certificate's CN is not used as the user name.
listener ${ctx.ports.mqtts} ${HOST}
cafile ${tls.caFile}
certfile ${tls.serverCertFile}
keyfile ${tls.serverKeyFile}
require_certificate true
use_identity_as_username false
`;

/** Whether an MQTT client gets its CONNACK at `url`. */
async function connects(url: string, options: IClientOptions = {}): Promise<boolean> {
  const client = mqtt.connect(url, {
    connectTimeout: 2000,
    reconnectPeriod: 0,
    // One id per listener: the two probes run at once, and a broker drops a client whose id reconnects.
    clientId: `sluice-health-${process.pid}-${new URL(url).port}`,
    ...options,
  });
  try {
    return await new Promise<boolean>((resolve) => {
      client.once('connect', () => resolve(true));
      client.once('error', () => resolve(false));
      client.once('close', () => resolve(false));
    });
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

const mosquitto: ServiceDefinition = {
  name: 'mosquitto',
  prerequisites: { install: ['debian-root'] },
  ports: { mqtt: 1883, mqtts: 8883 },
  memory: 'a few MiB',
  startTimeoutMs: 15_000,

  async isInstalled() {
    return aptInstalled(PACKAGES);
  },

  async install(ctx) {
    await aptInstall(ctx, PACKAGES);
  },

  async prepare(ctx) {
    // A private instance started again keeps its certificates: its clients already trust that CA.
    const tls = existsSync(tlsFiles(ctx).clientKeyFile)
      ? tlsFiles(ctx)
      : await generateTlsFiles(ctx, tlsDir(ctx));
    const file = path.join(ctx.dataDir, 'mosquitto.conf');
    await writeFile(file, config(ctx, tls, process.getuid?.() === 0));
    return { command: '/usr/sbin/mosquitto', args: ['-c', file], cwd: ctx.dataDir };
  },

  // Both listeners: a broker started before the TLS listener existed fails this and is restarted.
  async healthy(ctx) {
    const tls = tlsFiles(ctx);
    const [ca, cert, key] = await Promise.all(
      [tls.caFile, tls.clientCertFile, tls.clientKeyFile].map((f) => readFile(f)),
    );
    const [plain, secure] = await Promise.all([
      connects(mqttUrl(ctx)),
      connects(mqttsUrl(ctx), { protocol: 'mqtts', ca, cert, key }),
    ]);
    return plain && secure;
  },

  info(ctx) {
    const tls = tlsFiles(ctx);
    return {
      name: 'mosquitto',
      host: HOST,
      port: ctx.ports.mqtt,
      url: mqttUrl(ctx),
      tlsPort: ctx.ports.mqtts,
      tlsUrl: mqttsUrl(ctx),
      caFile: tls.caFile,
      clientCertFile: tls.clientCertFile,
      clientKeyFile: tls.clientKeyFile,
    };
  },
};

export default mosquitto;
