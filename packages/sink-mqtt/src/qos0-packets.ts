import type { MqttMessage } from './messages.js';
import { MAX_TOPIC_BYTES } from './targets.js';

// QoS 0 PUBLISH packets, encoded back to back into one buffer for one socket write (MQTT 3.1.1 §3.3,
// MQTT 5 §3.3). A QoS 0 PUBLISH is a fixed header, the topic and the payload: no packet id, and with
// MQTT 5 an empty property list. mqtt-packet's general encoder writes each field as its own chunk,
// with debug logging per packet; for a run of ~1 KB messages that cost as much as the socket write
// itself. The unit tests read what this writes back with mqtt-packet's parser.

/** MQTT's largest Remaining Length (four bytes of variable byte integer). */
export const MAX_REMAINING_LENGTH = 268_435_455;
const PUBLISH = 0x30;
const RETAIN = 0x01;

export class PacketEncodingError extends Error {
  constructor(
    readonly topic: string,
    message: string,
  ) {
    super(message);
  }
}

function varIntSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/**
 * Bytes of the PUBLISH packet for `message` as this sink sends it (no properties; a packet id for QoS
 * 1/2): what a broker's Maximum Packet Size (MQTT 5 CONNACK) is compared with.
 */
export function publishPacketSize(message: MqttMessage, protocolVersion: number): number {
  const { topic, payload, qos } = message;
  const remaining =
    2 +
    Buffer.byteLength(topic) +
    (qos > 0 ? 2 : 0) +
    (protocolVersion === 5 ? 1 : 0) +
    (typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
  return 1 + varIntSize(Math.min(remaining, MAX_REMAINING_LENGTH)) + remaining;
}

/**
 * Encodes messages from `from` on until the run holds at least `targetBytes` (at least one message),
 * and returns the bytes and the index of the first message not in them. Throws PacketEncodingError for
 * a message MQTT cannot carry.
 */
export function encodeQos0Run(
  messages: readonly MqttMessage[],
  from: number,
  targetBytes: number,
  protocolVersion: number,
): { bytes: Buffer; next: number } {
  const propertyBytes = protocolVersion === 5 ? 1 : 0;
  // First pass: sizes (a batch mostly has one topic: its byte length is measured once).
  let lastTopic: string | null = null;
  let lastTopicBytes = 0;
  const topicBytes: number[] = [];
  const payloadBytes: number[] = [];
  let total = 0;
  let end = from;
  while (end < messages.length && (end === from || total < targetBytes)) {
    const { topic, payload } = messages[end]!;
    if (topic !== lastTopic) {
      lastTopic = topic;
      lastTopicBytes = Buffer.byteLength(topic);
      if (lastTopicBytes > MAX_TOPIC_BYTES) {
        throw new PacketEncodingError(
          topic,
          `the topic is ${lastTopicBytes} bytes long, MQTT allows ${MAX_TOPIC_BYTES}`,
        );
      }
    }
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    const remaining = 2 + lastTopicBytes + propertyBytes + size;
    if (remaining > MAX_REMAINING_LENGTH) {
      throw new PacketEncodingError(
        topic,
        `the message is ${remaining} bytes long, MQTT allows ${MAX_REMAINING_LENGTH} (payload and topic)`,
      );
    }
    topicBytes.push(lastTopicBytes);
    payloadBytes.push(size);
    total += 1 + varIntSize(remaining) + remaining;
    end++;
  }
  // Second pass: write.
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = from; i < end; i++) {
    const { topic, payload, retain } = messages[i]!;
    const tLen = topicBytes[i - from]!;
    const pLen = payloadBytes[i - from]!;
    out[pos++] = PUBLISH | (retain ? RETAIN : 0);
    let remaining = 2 + tLen + propertyBytes + pLen;
    do {
      let byte = remaining % 128;
      remaining = Math.floor(remaining / 128);
      if (remaining > 0) byte |= 0x80;
      out[pos++] = byte;
    } while (remaining > 0);
    out[pos++] = tLen >> 8;
    out[pos++] = tLen & 0xff;
    pos += out.write(topic, pos, tLen, 'utf8');
    if (propertyBytes) out[pos++] = 0;
    pos += typeof payload === 'string' ? out.write(payload, pos, pLen, 'utf8') : payload.copy(out, pos);
  }
  return { bytes: out, next: end };
}
