import { ConnectException, type Schema } from '@sluice/core/sink';

// CQL text: identifiers always double-quoted exactly as the table has them (so `MyColumn` works,
// Stream Reactor #410), and CREATE TABLE for AUTOCREATE from a Connect schema.

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function tableName(keyspace: string, table: string): string {
  return `${quote(keyspace)}.${quote(table)}`;
}

/** `INSERT INTO "ks"."t" ("a", "b") VALUES (?, ?) USING [TTL ? AND] TIMESTAMP ?` */
export function insertCql(
  keyspace: string,
  table: string,
  columns: readonly string[],
  withTtl: boolean,
): string {
  return (
    `INSERT INTO ${tableName(keyspace, table)} (${columns.map(quote).join(', ')}) ` +
    `VALUES (${columns.map(() => '?').join(', ')}) USING ${withTtl ? 'TTL ? AND ' : ''}TIMESTAMP ?`
  );
}

/** `DELETE FROM "ks"."t" USING TIMESTAMP ? WHERE "a" = ? AND "b" = ?` */
export function deleteCql(keyspace: string, table: string, keyColumns: readonly string[]): string {
  return (
    `DELETE FROM ${tableName(keyspace, table)} USING TIMESTAMP ? WHERE ` +
    keyColumns.map((c) => `${quote(c)} = ?`).join(' AND ')
  );
}

/** The CQL type of a column created for a Connect schema (AUTOCREATE). */
export function cqlTypeOf(schema: Schema, where: string): string {
  switch (schema.name) {
    case 'org.apache.kafka.connect.data.Decimal':
      return 'decimal';
    case 'org.apache.kafka.connect.data.Date':
      return 'date';
    case 'org.apache.kafka.connect.data.Time':
      return 'time';
    case 'org.apache.kafka.connect.data.Timestamp':
      return 'timestamp';
  }
  switch (schema.type) {
    case 'INT8':
      return 'tinyint';
    case 'INT16':
      return 'smallint';
    case 'INT32':
      return 'int';
    case 'INT64':
      return 'bigint';
    case 'FLOAT32':
      return 'float';
    case 'FLOAT64':
      return 'double';
    case 'BOOLEAN':
      return 'boolean';
    case 'STRING':
      return 'text';
    case 'BYTES':
      return 'blob';
    case 'ARRAY':
      return `frozen<list<${cqlTypeOf(schema.valueSchema(), `${where} elements`)}>>`;
    case 'MAP':
      return `frozen<map<${cqlTypeOf(schema.keySchema(), `${where} keys`)}, ${cqlTypeOf(schema.valueSchema(), `${where} values`)}>>`;
    case 'STRUCT':
      throw new ConnectException(
        `AUTOCREATE cannot create a column for the nested struct ${where}: create the table (and a user-defined type for it) yourself, or select the struct's fields`,
      );
  }
  throw new ConnectException(`AUTOCREATE has no CQL type for ${where} (${String(schema.type)})`);
}

/** CREATE TABLE IF NOT EXISTS with the PK's first column as partition key and the rest clustering. */
export function createTableCql(
  keyspace: string,
  table: string,
  columns: readonly { name: string; type: string }[],
  primaryKeys: readonly string[],
): string {
  const [partition, ...clustering] = primaryKeys;
  const key = [quote(partition!), ...clustering.map(quote)].join(', ');
  return (
    `CREATE TABLE IF NOT EXISTS ${tableName(keyspace, table)} (` +
    columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ') +
    `, PRIMARY KEY (${key}))`
  );
}
