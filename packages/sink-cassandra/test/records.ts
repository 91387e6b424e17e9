import { Schema, SchemaBuilder, Struct, type KcqlStatement, type SinkRecord } from '@sluice/core/sink';
import { parseKcqlList } from '@sluice/kcql';
import { sinkRecord } from '@sluice/test-utils';
import { cassandraSettings, configDef, type CassandraSettings } from '../src/config.js';
import { compileRoute, type TableRoute } from '../src/routes.js';

// Records in each input shape, settings and routes from config text, for the unit tests.

export function kcql(text: string): KcqlStatement {
  return parseKcqlList(text)[0]!;
}

export function settings(extra: Record<string, string> = {}): CassandraSettings {
  const props = { 'connect.cassandra.kcql': 'INSERT INTO ks.t SELECT * FROM orders', ...extra };
  return cassandraSettings(configDef.parse(props), props);
}

export function route(text: string, extra: Record<string, string> = {}): TableRoute {
  return compileRoute(kcql(text), settings(extra));
}

/** A schemaless record at orders/0/17, with any field overridden. */
export function record(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { ...sinkRecord(value, null, { topic: 'orders', offset: 17 }), ...extra };
}

export const orderSchema = SchemaBuilder.struct()
  .name('Order')
  .field('id', Schema.INT32_SCHEMA)
  .field('amount', Schema.INT64_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .field(
    'customer',
    SchemaBuilder.struct().field('name', Schema.STRING_SCHEMA).field('city', Schema.STRING_SCHEMA).build(),
  )
  .build();

export function order(id: number, note: string | null = 'n'): Struct {
  const customerSchema = orderSchema.field('customer')!.schema;
  return new Struct(orderSchema)
    .put('id', id)
    .put('amount', BigInt(id) * 1000n)
    .put('note', note)
    .put('customer', new Struct(customerSchema).put('name', `c${id}`).put('city', 'Oslo'));
}
