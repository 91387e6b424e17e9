// An in-memory stand-in for the Confluent Schema Registry, for unit tests only (integration tests use
// the real registry from test-infra). Ids are global per distinct schema text, versions per subject.
import {
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
  type RegisteredSchema,
  type SchemaRegistry,
} from '../../src/convert/avro/schema-registry.js';

export class FakeSchemaRegistry implements SchemaRegistry {
  readonly schemas = new Map<number, string>();
  readonly subjects = new Map<string, RegisteredSchema[]>();
  /** Every call, e.g. `getSchemaById 1`, to check what was cached. */
  readonly calls: string[] = [];
  /** When set, every call fails as an unreachable registry would. */
  unavailable = false;

  async getSchemaById(id: number): Promise<string> {
    this.enter(`getSchemaById ${id}`);
    const schema = this.schemas.get(id);
    if (schema === undefined) throw new SchemaRegistryError(`Schema ${id} not found`, 404, 40403);
    return schema;
  }

  async register(subject: string, schema: string): Promise<number> {
    this.enter(`register ${subject}`);
    const versions = this.subjects.get(subject) ?? [];
    const existing = versions.find((v) => v.schema === schema);
    if (existing) return existing.id;
    const id = this.idOf(schema);
    versions.push({ id, version: versions.length + 1, subject, schema });
    this.subjects.set(subject, versions);
    return id;
  }

  async lookup(subject: string, schema: string): Promise<RegisteredSchema> {
    this.enter(`lookup ${subject}`);
    const found = this.subjects.get(subject)?.find((v) => v.schema === schema);
    if (!found) throw new SchemaRegistryError(`Schema not found under ${subject}`, 404, 40403);
    return found;
  }

  async getLatest(subject: string): Promise<RegisteredSchema> {
    this.enter(`getLatest ${subject}`);
    const versions = this.subjects.get(subject);
    if (!versions?.length) throw new SchemaRegistryError(`Subject ${subject} not found`, 404, 40401);
    return versions[versions.length - 1]!;
  }

  private idOf(schema: string): number {
    for (const [id, s] of this.schemas) if (s === schema) return id;
    const id = this.schemas.size + 1;
    this.schemas.set(id, schema);
    return id;
  }

  private enter(call: string): void {
    this.calls.push(call);
    if (this.unavailable)
      throw new SchemaRegistryUnavailableError('Schema registry unavailable: ECONNREFUSED');
  }
}
