import {
  ConnectDecimal,
  Decimal,
  LogicalDate,
  Schema,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  type KcqlStatement,
} from '@sluice/core/sink';
import { parseKcqlList } from '@sluice/kcql';
import { compileRoute, type JmsRoute } from '../src/routes.js';
import { parseStaticHeaders } from '../src/static-headers.js';

// Statements compiled from KCQL text, and a Struct with every kind of field the sink maps.

export function route(text: string, headers = ''): JmsRoute {
  return compileRoute(parseKcqlList(text)[0] as KcqlStatement, {
    staticHeaders: parseStaticHeaders(headers),
  });
}

const siteSchema = SchemaBuilder.struct()
  .name('Site')
  .field('name', Schema.STRING_SCHEMA)
  .field('line', Schema.INT16_SCHEMA)
  .build();

export const readingSchema = SchemaBuilder.struct()
  .name('sluice.test.Reading')
  .field('sensor', Schema.STRING_SCHEMA)
  .field('count', Schema.INT64_SCHEMA)
  .field('small', Schema.INT8_SCHEMA)
  .field('level', Schema.FLOAT64_SCHEMA)
  .field('ratio', Schema.FLOAT32_SCHEMA)
  .field('ok', Schema.BOOLEAN_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .field('day', LogicalDate.schema())
  .field('time', Time.schema())
  .field('raw', Schema.OPTIONAL_BYTES_SCHEMA)
  .field('site', siteSchema)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('attrs', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

export const AT = new Date('2024-03-04T05:06:07.089Z');
export const DAY = new Date('2024-03-04T00:00:00.000Z');

export function reading(sensor = 's-1'): Struct {
  return new Struct(readingSchema)
    .put('sensor', sensor)
    .put('count', 9007199254740993n)
    .put('small', -3)
    .put('level', 3)
    .put('ratio', 0.5)
    .put('ok', true)
    .put('price', new ConnectDecimal(1999n, 2))
    .put('at', AT)
    .put('day', DAY)
    .put('time', new Date(3_600_000))
    .put('raw', Buffer.from([1, 2, 3]))
    .put('site', new Struct(siteSchema).put('name', 'plant/a').put('line', 7))
    .put('tags', ['a', 'b'])
    .put('attrs', new Map([['x', 1]]))
    .put('note', null);
}
