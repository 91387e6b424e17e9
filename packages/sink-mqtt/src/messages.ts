import { RecordView, type SinkRecord } from '@sluice/core/sink';
import { passThroughPayload, projectedPayload, type MqttPayload } from './payload.js';
import type { MqttRoute } from './routes.js';
import { resolveTarget } from './targets.js';

// One record + its compiled KCQL statement → one MQTT message (pure: unit tested without a broker).
// A tombstone is skipped (null), or, with connect.mqtt.tombstone.clears.retained, becomes an empty
// retained message, which is how MQTT deletes the retained message of a topic.

export type QoS = 0 | 1 | 2;

export interface MqttMessage {
  readonly topic: string;
  readonly payload: MqttPayload;
  readonly qos: QoS;
  readonly retain: boolean;
}

export interface MessageOptions {
  readonly connectorName: string;
  readonly qos: QoS;
  readonly retained: boolean;
  readonly tombstoneClearsRetained: boolean;
}

const EMPTY = Buffer.alloc(0);

/** The message for `record`, or null for a tombstone that is skipped. Throws DataException for a record that cannot be sent. */
export function toMessage(record: SinkRecord, route: MqttRoute, options: MessageOptions): MqttMessage | null {
  if (record.value === null || record.value === undefined) {
    if (!options.tombstoneClearsRetained) return null;
    const view = new RecordView(record, { connectorName: options.connectorName });
    return { topic: resolveTarget(view, route.target), payload: EMPTY, qos: options.qos, retain: true };
  }
  const view = new RecordView(record, { connectorName: options.connectorName });
  const payload = route.passThrough
    ? passThroughPayload(record.value, record.valueSchema)
    : projectedPayload(view, route.statement);
  return { topic: resolveTarget(view, route.target), payload, qos: options.qos, retain: options.retained };
}
