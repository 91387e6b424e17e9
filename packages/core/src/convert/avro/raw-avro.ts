import type { Schema } from '../../data/index.js';
import { AvroData, type AvroWriter } from './avro-data.js';
import { avscType, type AvscType } from './avsc-types.js';

// Raw Avro binary of a Connect value: the datum alone, with no schema-registry header (magic byte and
// schema id). What sinks that hand Avro to another system write (Stream Reactor's JMS sink
// `WITHFORMAT AVRO`), with the Avro schema that Confluent's AvroData derives from the Connect schema.

export class RawAvroEncoder {
  private readonly types = new WeakMap<AvroWriter, AvscType>();

  constructor(private readonly avroData = new AvroData()) {}

  /** The Avro schema (JSON) a value of `schema` is written with. */
  avroSchema(schema: Schema | null): unknown {
    return this.avroData.writerFor(schema).avroSchema;
  }

  /** Validates `value` against `schema` (DataException when it does not fit) and encodes it. */
  encode(schema: Schema | null, value: unknown): Buffer {
    const writer = this.avroData.writerFor(schema);
    let type = this.types.get(writer);
    if (!type) {
      type = avscType(writer.avroSchema as Parameters<typeof avscType>[0]);
      this.types.set(writer, type);
    }
    return type.toBuffer(writer.write(value));
  }
}
