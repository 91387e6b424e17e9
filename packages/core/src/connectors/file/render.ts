// How the file sink writes a value: the way Kafka's FileStreamSinkTask prints it (Java's toString),
// so files written by Sluice read like files written by Kafka Connect. Strings as they are, Structs as
// `Struct{a=1,b=x}`, maps as `{k=v, k2=v2}`, lists as `[a, b]`, null as `null`. Where Java's output is
// useless (byte[] prints an object id) the bytes are written as base64 instead.

export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${renderValue(k)}=${renderValue(v)}`).join(', ')}}`;
  }
  if (isStruct(value)) {
    // Java's Struct.toString leaves out null fields.
    const fields = value.schema
      .fields()
      .filter((f) => value.get(f.name) !== null && value.get(f.name) !== undefined)
      .map((f) => `${f.name}=${renderValue(value.get(f.name))}`);
    return `Struct{${fields.join(',')}}`;
  }
  if (hasOwnToString(value)) return String(value); // Decimal and other value types with an exact text form
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${renderValue(v)}`)
    .join(', ')}}`;
}

interface StructLike {
  schema: { fields(): readonly { name: string }[] };
  get(field: string): unknown;
}

function isStruct(value: object): value is StructLike {
  const v = value as Partial<StructLike>;
  return (
    typeof v.get === 'function' && typeof v.schema === 'object' && typeof v.schema?.fields === 'function'
  );
}

function hasOwnToString(value: object): boolean {
  return typeof value.toString === 'function' && value.toString !== Object.prototype.toString;
}
