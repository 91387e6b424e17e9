import { DataException } from '../../errors.js';

// Confluent Schema Registry framing: magic byte 0, the schema id as a big-endian int32, then the
// Avro binary encoding of the datum (no container header, no sync markers).

export const MAGIC_BYTE = 0x00;
export const HEADER_SIZE = 5;

/**
 * The schema id of a framed payload. Throws DataException when the bytes cannot be Confluent wire
 * format; `what` names the record part for the message (e.g. "value of topic orders").
 */
export function readSchemaId(bytes: Buffer, what: string, converterKey: string): number {
  if (bytes.length < HEADER_SIZE) {
    throw new DataException(
      `The ${what} is ${bytes.length} byte(s) long, too short for Confluent Avro wire format ` +
        `(magic byte + 4-byte schema id + Avro data): is ${converterKey} right?`,
    );
  }
  const magic = bytes[0]!;
  if (magic !== MAGIC_BYTE) {
    throw new DataException(
      `Unknown magic byte 0x${magic.toString(16).padStart(2, '0')} for the ${what}: ` +
        `it is not in Confluent Avro wire format (is ${converterKey} right?)`,
    );
  }
  return bytes.readInt32BE(1);
}

export function writeHeader(target: Buffer, schemaId: number): void {
  target[0] = MAGIC_BYTE;
  target.writeInt32BE(schemaId, 1);
}
