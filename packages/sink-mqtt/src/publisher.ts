import type { MqttClient } from 'mqtt';
import { ConnectException, recordError, type DataException, type SinkRecord } from '@sluice/core/sink';
import type { MqttMessage } from './messages.js';
import { MAX_TOPIC_BYTES } from './targets.js';
import {
  encodeQos0Run,
  MAX_REMAINING_LENGTH,
  PacketEncodingError,
  publishPacketSize,
} from './qos0-packets.js';

// Publishes a batch. QoS 1/2: at most `maxInFlight` messages await their acknowledgement, and the batch
// resolves only when every message is acknowledged (PUBACK, PUBCOMP). QoS 0 has no acknowledgement: the
// batch resolves once every message is handed to the socket, which may still buffer up to
// QOS0_BUFFERED_BYTES of them (the next batch waits for 'drain' beyond that), so that fetching the next
// batch overlaps with the socket sending this one. QoS 0 messages are encoded many at a time
// (qos0-packets.ts) and written to the client's socket in one write each QOS0_WRITE_BYTES: mqtt.js'
// publish() spends several times the encoding on bookkeeping a QoS 0 message does not need (debug
// logging, packet events, the offline store, a write per packet field).
// No message is handed to the client while it is disconnected; if the connection stays away longer than
// `timeoutMs` the batch fails (a store error, for the error policy) and the messages still in flight are
// withdrawn from the client, so that a redelivered batch is not published twice. QoS 1/2 messages in
// flight when the connection drops are kept by mqtt.js and sent again after the reconnect. QoS 0 is at
// most once: messages being written when the connection drops are given up.

/** The part of mqtt.js' client the publisher uses (a fake implements it in unit tests). */
export type PublishingClient = Pick<
  MqttClient,
  | 'connected'
  | 'publish'
  | 'on'
  | 'removeListener'
  | 'outgoing'
  | 'removeOutgoingMessage'
  | 'serverProperties'
  | 'stream'
  | 'options'
>;

/** Bytes of QoS 0 messages the socket may hold unsent before publishing waits for it to drain. */
export const QOS0_BUFFERED_BYTES = 1024 * 1024;

/** QoS 0 messages are handed to the socket in writes of about this many bytes. */
export const QOS0_WRITE_BYTES = 64 * 1024;

export interface PendingPublish {
  readonly record: SinkRecord;
  readonly message: MqttMessage;
}

export interface RefusedPublish {
  /** Position of the message in the batch. */
  readonly index: number;
  readonly record: SinkRecord;
  readonly error: DataException;
}

export interface PublisherOptions {
  readonly connectorName: string;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  /** The brokers, for messages. */
  readonly brokers: string;
  readonly lastConnectionError: () => Error | null;
}

/** MQTT 5 reason codes that refuse one message for what it is, not because the broker is unwell. */
const REFUSALS: Record<number, string> = {
  0x87: 'not authorized',
  0x90: 'topic name invalid',
  0x99: 'payload format invalid',
};

export class Publisher {
  private abortCurrent: ((error: Error) => void) | null = null;

  constructor(
    private readonly client: PublishingClient,
    private readonly options: PublisherOptions,
  ) {}

  /**
   * Resolves with the messages refused: larger than the broker accepts (its MQTT 5 Maximum Packet Size,
   * else MQTT's own limit), which are not sent, and those the broker refused (MQTT 5 reason codes).
   * Rejects on a store error.
   */
  async publish(items: readonly PendingPublish[]): Promise<RefusedPublish[]> {
    const tooLarge = this.oversized(items);
    if (tooLarge.length === 0) return this.publishAll(items);
    const skip = new Set(tooLarge.map((r) => r.index));
    const sendable = items.map((_, i) => i).filter((i) => !skip.has(i));
    const refused = await this.publishAll(sendable.map((i) => items[i]!));
    return [...tooLarge, ...refused.map((r) => ({ ...r, index: sendable[r.index]! }))];
  }

  /**
   * The messages MQTT or this broker cannot carry: a topic longer than MQTT allows, or a PUBLISH packet
   * larger than the broker's Maximum Packet Size (MQTT 5 CONNACK; else MQTT's own limit). A broker
   * disconnects a client that sends one, so they are refused here, each on its own (a data error).
   */
  private oversized(items: readonly PendingPublish[]): RefusedPublish[] {
    const protocolVersion = this.client.options.protocolVersion ?? 4;
    const brokerMax = this.client.serverProperties?.maximumPacketSize;
    const limit = brokerMax ?? MAX_REMAINING_LENGTH + 5;
    const out: RefusedPublish[] = [];
    items.forEach((item, index) => {
      const { topic, payload } = item.message;
      // A UTF-8 character takes at most 3 bytes per UTF-16 unit: most messages are cleared without
      // measuring their text (the QoS 0 path encodes it once, later).
      const bound =
        3 * topic.length + (typeof payload === 'string' ? 3 * payload.length : payload.length) + 10;
      if (bound <= limit && 3 * topic.length <= MAX_TOPIC_BYTES) return;
      const topicBytes = Buffer.byteLength(topic);
      const size = publishPacketSize(item.message, protocolVersion);
      let why: string;
      if (topicBytes > MAX_TOPIC_BYTES)
        why = `the topic is ${topicBytes} bytes long, MQTT allows ${MAX_TOPIC_BYTES}`;
      else if (size > limit)
        why =
          `the message is ${size} bytes, larger than ` +
          (brokerMax !== undefined
            ? `the broker's Maximum Packet Size of ${brokerMax} bytes`
            : `MQTT allows (${limit} bytes)`);
      else return;
      out.push({
        index,
        record: item.record,
        error: recordError(
          item.record,
          { connectorName: this.options.connectorName },
          `the MQTT message to topic '${topic}' can never be sent: ${why}.`,
        ),
      });
    });
    return out;
  }

  private publishAll(items: readonly PendingPublish[]): Promise<RefusedPublish[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.abortCurrent)
      return Promise.reject(new Error('Publisher.publish called while a batch is running'));
    if (items[0]!.message.qos === 0) return this.publishAtMostOnce(items);
    const { client, options } = this;
    return new Promise<RefusedPublish[]>((resolve, reject) => {
      const refused: RefusedPublish[] = [];
      const pending = new Set<number>();
      let next = 0;
      let pumping = false;
      let settled = false;
      let offlineTimer: ReturnType<typeof setTimeout> | null = null;

      const finish = (error: Error | null) => {
        if (settled) return;
        settled = true;
        if (offlineTimer) clearTimeout(offlineTimer);
        client.removeListener('connect', onConnect);
        client.removeListener('close', onClose);
        this.abortCurrent = null;
        if (error) {
          this.withdrawInFlight();
          reject(error);
        } else {
          resolve(refused);
        }
      };
      const armOfflineTimer = () => {
        if (offlineTimer || settled) return;
        offlineTimer = setTimeout(
          () => finish(this.disconnectedTooLong(pending.size + items.length - next, items.length)),
          options.timeoutMs,
        );
      };
      const onConnect = () => {
        if (offlineTimer) clearTimeout(offlineTimer);
        offlineTimer = null;
        pump();
      };
      const onClose = () => {
        // QoS 0 writes cut off by the drop are lost (at most once); QoS 1/2 ones are resent by mqtt.js.
        for (const i of pending) if (items[i]!.message.qos === 0) pending.delete(i);
        armOfflineTimer();
        if (next === items.length && pending.size === 0) finish(null);
      };
      const acknowledged = (i: number, error: Error | null | undefined) => {
        if (settled || !pending.delete(i)) return;
        if (error) {
          const refusal = this.refusal(items[i]!, i, error);
          if (!refusal) {
            finish(
              new ConnectException(
                `Connector ${options.connectorName}: publishing to MQTT failed: ${error.message}`,
                { cause: error },
              ),
            );
            return;
          }
          refused.push(refusal);
        }
        if (next === items.length && pending.size === 0) finish(null);
        else pump();
      };
      const pump = () => {
        // Re-entrant calls (an acknowledgement delivered synchronously) leave the work to the running loop.
        if (pumping) return;
        pumping = true;
        try {
          const window = this.window(items[0]!.message.qos);
          while (!settled && next < items.length && pending.size < window) {
            if (!client.connected) {
              armOfflineTimer();
              return;
            }
            const i = next++;
            const { topic, payload, qos, retain } = items[i]!.message;
            pending.add(i);
            client.publish(topic, payload, { qos, retain }, (error) => acknowledged(i, error));
          }
        } finally {
          pumping = false;
        }
      };

      client.on('connect', onConnect);
      client.on('close', onClose);
      this.abortCurrent = finish;
      pump();
    });
  }

  /**
   * QoS 0: writes the encoded messages to the client's socket QOS0_WRITE_BYTES at a time, waiting only
   * while disconnected or while the socket buffers more than QOS0_BUFFERED_BYTES. Nothing of mqtt.js'
   * publish() is needed for QoS 0: no packet id, no store, no acknowledgement, the connection is checked
   * first, and topic aliases are not used. A write is whole packets, so it cannot interleave with the
   * client's own packets (PINGREQ), which it also writes in one synchronous run.
   */
  private publishAtMostOnce(items: readonly PendingPublish[]): Promise<RefusedPublish[]> {
    const { client, options } = this;
    const protocolVersion = client.options.protocolVersion ?? 4;
    const messages = items.map((i) => i.message);
    return new Promise<RefusedPublish[]>((resolve, reject) => {
      let next = 0;
      let settled = false;
      let offlineTimer: ReturnType<typeof setTimeout> | null = null;
      let draining: PublishingClient['stream'] | null = null;

      const stopWaitingForDrain = () => {
        draining?.removeListener('drain', pump);
        draining = null;
      };
      const finish = (error: Error | null) => {
        if (settled) return;
        settled = true;
        if (offlineTimer) clearTimeout(offlineTimer);
        stopWaitingForDrain();
        client.removeListener('connect', onConnect);
        client.removeListener('close', onClose);
        this.abortCurrent = null;
        if (error) reject(error);
        else resolve([]);
      };
      const onConnect = () => {
        if (offlineTimer) clearTimeout(offlineTimer);
        offlineTimer = null;
        pump();
      };
      const onClose = () => {
        // What the socket still held is lost (at most once); the rest waits for the reconnect.
        stopWaitingForDrain();
        armOfflineTimer();
      };
      const armOfflineTimer = () => {
        if (offlineTimer || settled) return;
        offlineTimer = setTimeout(
          () => finish(this.disconnectedTooLong(items.length - next, items.length)),
          options.timeoutMs,
        );
      };
      function pump() {
        draining = null;
        while (!settled && next < items.length) {
          if (!client.connected) {
            armOfflineTimer();
            return;
          }
          const stream = client.stream;
          if (stream && stream.writableLength >= QOS0_BUFFERED_BYTES) {
            draining = stream;
            stream.once('drain', pump);
            return;
          }
          let run: { bytes: Buffer; next: number };
          try {
            run = encodeQos0Run(messages, next, QOS0_WRITE_BYTES, protocolVersion);
          } catch (e) {
            if (!(e instanceof PacketEncodingError)) throw e;
            return finish(
              new ConnectException(
                `Connector ${options.connectorName}: the MQTT message to topic '${e.topic}' cannot be sent: ${e.message}`,
              ),
            );
          }
          next = run.next;
          stream.write(run.bytes);
        }
        finish(null);
      }

      client.on('connect', onConnect);
      client.on('close', onClose);
      this.abortCurrent = finish;
      pump();
    });
  }

  /** Fails the batch in progress (the task is stopping). */
  abort(reason: string): void {
    this.abortCurrent?.(new ConnectException(`Connector ${this.options.connectorName}: ${reason}`));
  }

  /** With MQTT 5 the broker says how many unacknowledged QoS 1/2 messages it accepts (Receive Maximum). */
  private window(qos: number): number {
    const receiveMaximum = qos > 0 ? this.client.serverProperties?.receiveMaximum : undefined;
    return receiveMaximum ? Math.min(this.options.maxInFlight, receiveMaximum) : this.options.maxInFlight;
  }

  private refusal(item: PendingPublish, index: number, error: Error): RefusedPublish | null {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'number' || !(code in REFUSALS)) return null;
    return {
      index,
      record: item.record,
      error: recordError(
        item.record,
        { connectorName: this.options.connectorName },
        `the MQTT broker refused the message to topic '${item.message.topic}': ${REFUSALS[code]} (reason code 0x${code.toString(16)}).`,
      ),
    };
  }

  /** Takes back the QoS 1/2 publishes mqtt.js still holds, so that they are not sent after the batch failed. */
  private withdrawInFlight(): void {
    for (const [id, entry] of Object.entries(this.client.outgoing)) {
      if (entry.cmd === 'publish') this.client.removeOutgoingMessage(Number(id));
    }
  }

  private disconnectedTooLong(unacknowledged: number, total: number): ConnectException {
    const last = this.options.lastConnectionError();
    return new ConnectException(
      `Connector ${this.options.connectorName}: no connection to the MQTT broker (${this.options.brokers}) for ` +
        `${this.options.timeoutMs} ms with ${unacknowledged} of ${total} messages of the batch not acknowledged` +
        `${last ? ` (last error: ${last.message})` : ''}. Check that the broker is running, reachable and accepts ` +
        "this client's credentials and certificate; connect.mqtt.timeout sets how long to wait.",
    );
  }
}
