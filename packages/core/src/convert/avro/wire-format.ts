import { DataException } from '../../errors.js';

// Confluent Schema Registry framing: magic byte 0, the schema id as a big-endian int32, then the
// Avro binary encoding of the datum (no container header, no sync markers).

export const MAGIC_BYTE = 0x00;
export const HEADER_SIZE = 5;

/** The schema id of a framed payload; DataException when the bytes cannot be Confluent wire format. */
export function readSchemaId(bytes: Buffer, topic: string, isKey: boolean): number {
  const part = isKey ? 'key' : 'value';
  if (bytes.length < HEADER_SIZE) {
    throw new DataException(
      `The ${part} of a record on topic ${topic} is ${bytes.length} byte(s) long, too short for Confluent Avro ` +
        `wire format (magic byte + 4-byte schema id + Avro data): is ${part}.converter right?`,
    );
  }
  const magic = bytes[0]!;
  if (magic !== MAGIC_BYTE) {
    throw new DataException(
      `Unknown magic byte 0x${magic.toString(16).padStart(2, '0')} for topic ${topic}: the ${part} is not in ` +
        `Confluent Avro wire format (is ${part}.converter right?)`,
    );
  }
  return bytes.readInt32BE(1);
}

/** Header + Avro body in one buffer. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, HEADER_SIZE);
  return out;
}
