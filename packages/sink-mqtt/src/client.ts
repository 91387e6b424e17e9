import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { readKeyFile, type TaskLogger } from '@sluice/core/sink';
import { SSL_CA_CERT, SSL_CERT, SSL_KEY, type MqttSinkConfig } from './config.js';

// The mqtt.js client of one task. It reconnects by itself, with a back-off that doubles from 1 s to
// 10 s (mqtt.js alone retries at a fixed period), and keeps QoS 1/2 messages that were in flight when
// the connection dropped, to send them again once it is back. TLS material is this client's only.

export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 10_000;

/** Session expiry sent with MQTT 5 when connect.mqtt.clean=false: the session outlives disconnects, as in 3.1.1. */
const SESSION_NEVER_EXPIRES = 0xffffffff;

export function mqttClientOptions(config: MqttSinkConfig, clientId: string): IClientOptions {
  const [first] = config.hosts;
  const options: IClientOptions = {
    servers: config.hosts.map((h) => ({ host: h.host, port: h.port, protocol: h.protocol })),
    protocol: first!.protocol,
    host: first!.host,
    port: first!.port,
    clientId,
    clean: config.clean,
    connectTimeout: config.timeoutMs,
    // Milliseconds in the config, whole seconds on the wire; 0 switches keep-alive off.
    keepalive: Math.ceil(config.keepAliveMs / 1000),
    reconnectPeriod: RECONNECT_BASE_MS,
    protocolVersion: config.protocolVersion === '5' ? 5 : 4,
    // Offline QoS 0 messages are never queued: the publisher waits for the connection instead.
    queueQoSZero: false,
  };
  if (first!.protocol === 'ws' || first!.protocol === 'wss') options.path = first!.path;
  if (config.protocolVersion === '5' && !config.clean) {
    options.properties = { sessionExpiryInterval: SESSION_NEVER_EXPIRES };
  }
  if (config.username !== '') options.username = config.username;
  if (config.password !== '') options.password = config.password;
  if (config.tls.ca) options.ca = readKeyFile(config.tls.ca, SSL_CA_CERT);
  if (config.tls.cert) options.cert = readKeyFile(config.tls.cert, SSL_CERT);
  if (config.tls.key) options.key = readKeyFile(config.tls.key, SSL_KEY);
  return options;
}

/** `connect.mqtt.client.id`, or an id of our own that no other task or restart uses. */
export function clientIdFor(config: MqttSinkConfig, connectorName: string, taskId: number): string {
  if (config.clientId !== '') return config.clientId;
  return `sluice-${connectorName}-${taskId}-${randomBytes(3).toString('hex')}`;
}

export interface ConnectionEvents {
  /** The last connection error, for messages when the broker stays away. */
  lastError(): Error | null;
}

/** Connects (in the background) and wires back-off and logging. */
export function createMqttClient(
  config: MqttSinkConfig,
  clientId: string,
  logger: TaskLogger,
  describe: string,
): { client: MqttClient; events: ConnectionEvents } {
  const client = mqtt.connect(mqttClientOptions(config, clientId));
  let lastError: Error | null = null;
  let attempts = 0;
  let wasConnected = false;
  client.on('connect', () => {
    // Acknowledgements are tiny packets: without this, Nagle's algorithm and delayed ACKs hold the
    // last ones of a batch back for tens of milliseconds, and put() waits for them.
    (client.stream as Partial<Socket>).setNoDelay?.(true);
    if (attempts > 0 || wasConnected) logger.info(`${describe}: connected to the MQTT broker again.`);
    attempts = 0;
    wasConnected = true;
    lastError = null;
    client.options.reconnectPeriod = RECONNECT_BASE_MS;
  });
  // mqtt.js reads reconnectPeriod when it schedules the next attempt after a failed one, so raising it
  // here (before that attempt's close) spaces the attempts out.
  client.on('reconnect', () => {
    attempts++;
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempts);
    client.options.reconnectPeriod = Math.round(backoff * (0.8 + Math.random() * 0.4));
  });
  client.on('offline', () => {
    logger.warn(`${describe}: lost the connection to the MQTT broker; reconnecting.`);
  });
  client.on('error', (raw) => {
    const e = readableError(raw);
    // Logged once per outage, not once per attempt.
    if (lastError?.message !== e.message) logger.warn(`${describe}: MQTT connection error: ${e.message}`);
    lastError = e;
  });
  return { client, events: { lastError: () => lastError } };
}

/**
 * OpenSSL's messages carry library noise (`80BC…:error:0A00045C:SSL routines:…:SSL alert number 116`);
 * Node also gives the reason alone (`tlsv13 alert certificate required`) and a code: say those.
 */
function readableError(e: Error): Error {
  const { reason, code } = e as Error & { reason?: string; code?: string };
  if (typeof reason !== 'string' || !e.message.includes('SSL routines')) return e;
  return new Error(`TLS: ${reason}${code ? ` (${code})` : ''}`, { cause: e });
}

/** Sends DISCONNECT when connected (so the broker does not see a dropped client), else just closes; never waits longer than `timeoutMs`. */
export async function closeMqttClient(client: MqttClient, timeoutMs: number): Promise<void> {
  if (!client.connected) {
    await client.endAsync(true);
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const forced = new Promise<void>((resolve) => {
    // end(true) is a no-op once a graceful end has begun, so a stuck one is cut at the socket.
    timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, timeoutMs);
  });
  await Promise.race([client.endAsync(false), forced]);
  clearTimeout(timer);
}
