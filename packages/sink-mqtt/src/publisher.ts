import type { MqttClient } from 'mqtt';
import { ConnectException, recordError, type DataException, type SinkRecord } from '@sluice/core';
import type { MqttMessage } from './messages.js';

// Publishes a batch with at most `maxInFlight` messages awaiting their acknowledgement, and resolves only
// when every message is acknowledged: PUBACK (QoS 1), PUBCOMP (QoS 2), or written to the socket (QoS 0).
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
>;

export interface PendingPublish {
  readonly record: SinkRecord;
  readonly message: MqttMessage;
}

export interface RefusedPublish {
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

  /** Resolves with the messages the broker refused (MQTT 5 reason codes); rejects on a store error. */
  publish(items: readonly PendingPublish[]): Promise<RefusedPublish[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.abortCurrent)
      return Promise.reject(new Error('Publisher.publish called while a batch is running'));
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
          const refusal = this.refusal(items[i]!, error);
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

  /** Fails the batch in progress (the task is stopping). */
  abort(reason: string): void {
    this.abortCurrent?.(new ConnectException(`Connector ${this.options.connectorName}: ${reason}`));
  }

  /** With MQTT 5 the broker says how many unacknowledged QoS 1/2 messages it accepts (Receive Maximum). */
  private window(qos: number): number {
    const receiveMaximum = qos > 0 ? this.client.serverProperties?.receiveMaximum : undefined;
    return receiveMaximum ? Math.min(this.options.maxInFlight, receiveMaximum) : this.options.maxInFlight;
  }

  private refusal(item: PendingPublish, error: Error): RefusedPublish | null {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'number' || !(code in REFUSALS)) return null;
    return {
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
