import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import mqtt from 'mqtt';
import { aptInstall, aptInstalled } from '../installers/apt.js';
import type { ServiceDefinition } from '../service.js';

// Eclipse Mosquitto from Debian, run in the foreground with our own config (not the system service).
const HOST = '127.0.0.1';
const PORT = 1883;
const MQTT_URL = `mqtt://${HOST}:${PORT}`;
const PACKAGES = ['mosquitto'];

const CONFIG = `# Written by test-infra: an anonymous broker on loopback for tests.
per_listener_settings false
allow_anonymous true
persistence false
# Without this Mosquitto lets Nagle hold back small packets (PUBACK/PUBCOMP), which caps QoS 1/2 throughput.
set_tcp_nodelay true
log_dest stdout
log_type error
log_type warning
log_type notice
listener ${PORT} ${HOST}
`;

const mosquitto: ServiceDefinition = {
  name: 'mosquitto',
  ports: [PORT],
  memory: 'a few MiB',
  startTimeoutMs: 15_000,

  async isInstalled() {
    return aptInstalled(PACKAGES);
  },

  async install(ctx) {
    await aptInstall(ctx, PACKAGES);
  },

  async prepare(ctx) {
    const config = path.join(ctx.dataDir, 'mosquitto.conf');
    await writeFile(config, CONFIG);
    return { command: '/usr/sbin/mosquitto', args: ['-c', config], cwd: ctx.dataDir };
  },

  async healthy() {
    const client = mqtt.connect(MQTT_URL, {
      connectTimeout: 2000,
      reconnectPeriod: 0,
      clientId: `sluice-health-${process.pid}`,
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
  },

  info() {
    return { name: 'mosquitto', host: HOST, port: PORT, url: MQTT_URL };
  },
};

export default mosquitto;
