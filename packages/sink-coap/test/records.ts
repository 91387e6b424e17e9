import {
  ConnectDecimal,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  Timestamp,
  type KcqlStatement,
} from '@sluice/core/sink';
import { parseKcqlList } from '@sluice/kcql';
import { compileRoute, type CoapRoute } from '../src/requests.js';

// Statements parsed from KCQL text, and a Struct with the types a record may carry.

export function kcql(text: string): KcqlStatement {
  return parseKcqlList(text)[0]!;
}

export function route(text: string): CoapRoute {
  return compileRoute(kcql(text), 0);
}

export const readingSchema = SchemaBuilder.struct()
  .name('Reading')
  .field('device', SchemaBuilder.struct().field('id', Schema.STRING_SCHEMA).build())
  .field('count', Schema.INT64_SCHEMA)
  .field('temp', Schema.FLOAT64_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .field('raw', Schema.OPTIONAL_BYTES_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

export function readingStruct(id = 'd-1'): Struct {
  return new Struct(readingSchema)
    .put('device', new Struct(readingSchema.field('device')!.schema).put('id', id))
    .put('count', 9007199254740993n)
    .put('temp', 21.5)
    .put('price', new ConnectDecimal(1999n, 2))
    .put('at', new Date('2024-03-04T05:06:07.089Z'))
    .put('raw', Buffer.from([1, 2, 3]))
    .put('note', null);
}
