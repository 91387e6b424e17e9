import avro from 'avsc';

// Avro records in Confluent's wire format (magic 0, schema id, Avro binary), with the schema
// registered in the test-infra schema registry under `<topic>-value` (TopicNameStrategy).

export interface AvroProducerSchema {
  readonly id: number;
  readonly type: avro.Type;
}

export async function registerAvroSchema(
  registryUrl: string,
  subject: string,
  schema: object,
): Promise<AvroProducerSchema> {
  const response = await fetch(
    `${registryUrl.replace(/\/$/, '')}/subjects/${encodeURIComponent(subject)}/versions`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    },
  );
  if (!response.ok)
    throw new Error(`Schema registry refused ${subject}: ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as { id: number };
  return { id, type: avro.Type.forSchema(schema as avro.Schema) };
}

export function encodeAvro(schema: AvroProducerSchema, value: unknown): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(schema.id, 1);
  return Buffer.concat([header, schema.type.toBuffer(value)]);
}
