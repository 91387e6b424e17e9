import {
  ConnectDecimal,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  Timestamp,
  type SinkRecord,
} from '@sluice/core';
import { parseKcqlList } from '@sluice/kcql';
import { sinkRecord } from '@sluice/test-utils';
import type { KcqlStatement } from '@sluice/core';

// Records in each input shape the sink receives, and statements parsed from KCQL text.

export function kcql(text: string): KcqlStatement {
  return parseKcqlList(text)[0]!;
}

/** A schemaless record at sensors/0/17 (test-utils' sinkRecord), with any field overridden. */
export function record(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { ...sinkRecord(value, null, { topic: 'sensors', offset: 17 }), ...extra };
}

export const locationSchema = SchemaBuilder.struct()
  .name('Location')
  .field('lat', Schema.FLOAT64_SCHEMA)
  .field('lon', Schema.FLOAT64_SCHEMA)
  .build();

export const readingSchema = SchemaBuilder.struct()
  .name('Reading')
  .field('sensorID', Schema.STRING_SCHEMA)
  .field('count', Schema.INT64_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .field('raw', Schema.OPTIONAL_BYTES_SCHEMA)
  .field('location', locationSchema)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('attrs', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
  .build();

export const readingAt = new Date('2024-03-04T05:06:07.089Z');

export function readingStruct(sensorID = 's-1'): Struct {
  return new Struct(readingSchema)
    .put('sensorID', sensorID)
    .put('count', 9007199254740993n)
    .put('price', new ConnectDecimal(1999n, 2))
    .put('at', readingAt)
    .put('raw', Buffer.from([1, 2, 3]))
    .put('location', new Struct(locationSchema).put('lat', 51.5).put('lon', -0.12))
    .put('tags', ['a', 'b'])
    .put('attrs', new Map([['x', 1]]));
}

export const readingJson = {
  sensorID: 's-1',
  count: 5_000_000_000,
  at: '2024-03-04T05:06:07.089Z',
  location: { lat: 51.5, lon: -0.12 },
  events: [{ when: 1_700_000_000_000 }, { when: '2024-01-01T00:00:00+01:00' }],
};
