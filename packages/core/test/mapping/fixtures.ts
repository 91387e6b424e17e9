import { defaultKcql } from '@sluice/kcql';
import type { KcqlField, KcqlStatement } from '../../src/mapping/statement.js';
import type { SinkRecord } from '../../src/sink/api.js';

// Hand-built KCQL fields/statements and records for mapping tests (the parser is tested in @sluice/kcql).

export function field(path: string, alias?: string, type: KcqlField['type'] = 'VALUE'): KcqlField {
  const segments = path.split('.');
  const name = segments.pop()!;
  return { name, alias: alias ?? name, type, parents: segments.length > 0 ? segments : null };
}

export function statement(parts: Partial<KcqlStatement> = {}): KcqlStatement {
  return {
    ...defaultKcql(),
    source: 'orders',
    target: 'orders',
    writeMode: 'INSERT',
    fields: [field('*')],
    keyFields: [],
    headerFields: [],
    ignoredFields: [],
    primaryKeys: [],
    batchSize: 0,
    retainStructure: false,
    ...parts,
  };
}

export function record(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 'orders',
    kafkaPartition: 2,
    kafkaOffset: 41,
    keySchema: null,
    key: null,
    valueSchema: null,
    value,
    timestamp: 1_700_000_000_000,
    timestampType: 'CreateTime',
    headers: [],
    ...extra,
  };
}

/** A minimal Struct by shape (schema.type STRUCT, fields(), get()), as mapping recognises it. */
export function struct(values: Record<string, unknown>): unknown {
  const names = Object.keys(values);
  return {
    schema: { type: 'STRUCT', fields: () => names.map((name) => ({ name })) },
    get: (name: string) => values[name],
  };
}
