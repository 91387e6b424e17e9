import {
  ConnectDecimal,
  LogicalDate,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  type KcqlStatement,
  type SinkRecord,
} from '@sluice/core/sink';
import { parseKcqlList } from '@sluice/kcql';
import { sinkRecord } from '@sluice/test-utils';

// Records in each input shape the sink receives, and statements parsed from KCQL text.

export function kcql(text: string): KcqlStatement {
  return parseKcqlList(text)[0]!;
}

/** A schemaless record at orders/2/17, with any part overridden. */
export function record(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { ...sinkRecord(value, null, { topic: 'orders', partition: 2, offset: 17 }), ...extra };
}

export const nestedSchema = SchemaBuilder.struct()
  .name('Nested')
  .field('id', Schema.STRING_SCHEMA)
  .field('level', Schema.INT32_SCHEMA)
  .build();

export const orderSchema = SchemaBuilder.struct()
  .name('Order')
  .field('id', Schema.STRING_SCHEMA)
  .field('qty', Schema.INT64_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('ratio', Schema.FLOAT64_SCHEMA)
  .field('at', Timestamp.schema())
  .field('day', LogicalDate.schema())
  .field('time', Time.schema())
  .field('raw', Schema.OPTIONAL_BYTES_SCHEMA)
  .field('ok', Schema.BOOLEAN_SCHEMA)
  .field('nested', nestedSchema)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

export const orderAt = new Date('2024-03-04T05:06:07.089Z');

export function orderStruct(id = 'o-1'): Struct {
  return new Struct(orderSchema)
    .put('id', id)
    .put('qty', 9007199254740993n)
    .put('price', new ConnectDecimal(1999n, 2))
    .put('ratio', 3)
    .put('at', orderAt)
    .put('day', new Date('2024-03-04T00:00:00Z'))
    .put('time', new Date('1970-01-01T05:06:07.089Z'))
    .put('raw', Buffer.from([1, 2, 3]))
    .put('ok', true)
    .put('nested', new Struct(nestedSchema).put('id', 'n-7').put('level', 2))
    .put('tags', ['a', 'b'])
    .put('note', null);
}
