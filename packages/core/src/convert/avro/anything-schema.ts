import { KEY_FIELD, MAP_ENTRY_TYPE_NAME, NAMESPACE, VALUE_FIELD } from './avro-names.js';

// Schemaless Connect data (schema null) travels in Confluent's self-referential
// io.confluent.connect.avro.Anything record: exactly one of its optional fields is set (none for null).

const optional = (type: unknown) => ({ type: ['null', type], default: null });

export const ANYTHING_SCHEMA = {
  type: 'record',
  name: 'Anything',
  namespace: NAMESPACE,
  fields: [
    { name: 'boolean', ...optional('boolean') },
    { name: 'bytes', ...optional('bytes') },
    { name: 'double', ...optional('double') },
    { name: 'float', ...optional('float') },
    { name: 'int', ...optional('int') },
    { name: 'long', ...optional('long') },
    { name: 'string', ...optional('string') },
    { name: 'array', ...optional({ type: 'array', items: 'Anything' }) },
    {
      name: 'map',
      ...optional({
        type: 'array',
        items: {
          type: 'record',
          name: MAP_ENTRY_TYPE_NAME,
          namespace: NAMESPACE,
          fields: [
            { name: KEY_FIELD, type: 'Anything' },
            { name: VALUE_FIELD, type: 'Anything' },
          ],
        },
      }),
    },
  ],
};

/** Whether Avro schema JSON is the Anything record (so the Connect side is schemaless). */
export function isAnythingSchema(fullName: string | null): boolean {
  return fullName === `${NAMESPACE}.Anything`;
}
