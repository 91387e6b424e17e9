import {
  ConnectDecimal,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  Timestamp,
  type KcqlStatement,
} from '@sluice/core';
import { parseKcqlList } from '@sluice/kcql';
import { compileRoute, type MqttRoute } from '../src/routes.js';

// Statements compiled from KCQL text, and a Struct with every kind of field the sink renders as JSON.

export function route(text: string): MqttRoute {
  return compileRoute(parseKcqlList(text)[0] as KcqlStatement, 0);
}

export const siteSchema = SchemaBuilder.struct()
  .name('Site')
  .field('name', Schema.STRING_SCHEMA)
  .field('line', Schema.INT32_SCHEMA)
  .build();

export const readingSchema = SchemaBuilder.struct()
  .name('Reading')
  .field('sensor', Schema.STRING_SCHEMA)
  .field('count', Schema.INT64_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .field('raw', Schema.OPTIONAL_BYTES_SCHEMA)
  .field('site', siteSchema)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('attrs', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

export function reading(sensor = 's-1'): Struct {
  return new Struct(readingSchema)
    .put('sensor', sensor)
    .put('count', 9007199254740993n)
    .put('price', new ConnectDecimal(1999n, 2))
    .put('at', new Date('2024-03-04T05:06:07.089Z'))
    .put('raw', Buffer.from([1, 2, 3]))
    .put('site', new Struct(siteSchema).put('name', 'plant/a').put('line', 7))
    .put('tags', ['a', 'b'])
    .put('attrs', new Map([['x', 1]]))
    .put('note', null);
}

/** The JSON text of `reading()`: INT64 and Decimal exact, Timestamp epoch milliseconds, bytes base64. */
export const readingJsonText =
  '{"sensor":"s-1","count":9007199254740993,"price":19.99,"at":1709528767089,"raw":"AQID",' +
  '"site":{"name":"plant/a","line":7},"tags":["a","b"],"attrs":{"x":1},"note":null}';

export const readingObject = {
  sensor: 's-1',
  site: { name: 'plant/a', line: 7 },
  reading: { value: 21.5, unit: 'C' },
  routing: { target: 'plants/a/line/7' },
};
