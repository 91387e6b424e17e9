import { BoundedCache, InFlight } from './bounded-cache.js';
import type { RegisteredSchema, SchemaRegistry } from './schema-registry.js';

export interface CachedSchemaRegistryOptions {
  /** Entries kept per cache (ids, registrations, versions). */
  capacity: number;
  /** How long a `latest` answer is reused; negative = for the life of the converter (Confluent's -1). */
  latestTtlMs: number;
}

/**
 * Confluent's CachedSchemaRegistryClient: ids and registrations never change once the registry has
 * given them, so they are cached (bounded) and each distinct miss is asked once even under
 * concurrency. Only `latest` can change, so it expires after `latestTtlMs`.
 */
export class CachedSchemaRegistry implements SchemaRegistry {
  private readonly byId: BoundedCache<number, string>;
  private readonly idBySubjectSchema: BoundedCache<string, number>;
  private readonly lookups: BoundedCache<string, RegisteredSchema>;
  private readonly latest: BoundedCache<string, { at: number; schema: RegisteredSchema }>;
  private readonly inFlight = new InFlight<string, unknown>();

  constructor(
    private readonly delegate: SchemaRegistry,
    private readonly options: CachedSchemaRegistryOptions,
  ) {
    this.byId = new BoundedCache(options.capacity);
    this.idBySubjectSchema = new BoundedCache(options.capacity);
    this.lookups = new BoundedCache(options.capacity);
    this.latest = new BoundedCache(options.capacity);
  }

  /** The cached schema text of `id`, without asking the registry. */
  cachedSchema(id: number): string | undefined {
    return this.byId.get(id);
  }

  async getSchemaById(id: number): Promise<string> {
    const hit = this.byId.get(id);
    if (hit !== undefined) return hit;
    return this.once(`id:${id}`, async () => {
      const schema = await this.delegate.getSchemaById(id);
      this.byId.set(id, schema);
      return schema;
    });
  }

  async register(subject: string, schema: string, normalize: boolean): Promise<number> {
    const key = `${subject}\u0000${schema}`;
    const hit = this.idBySubjectSchema.get(key);
    if (hit !== undefined) return hit;
    return this.once(`register:${key}`, async () => {
      const id = await this.delegate.register(subject, schema, normalize);
      this.idBySubjectSchema.set(key, id);
      this.byId.set(id, schema);
      return id;
    });
  }

  async lookup(subject: string, schema: string, normalize: boolean): Promise<RegisteredSchema> {
    const key = `${subject}\u0000${schema}`;
    const hit = this.lookups.get(key);
    if (hit !== undefined) return hit;
    return this.once(`lookup:${key}`, async () => {
      const found = await this.delegate.lookup(subject, schema, normalize);
      this.lookups.set(key, found);
      this.idBySubjectSchema.set(key, found.id);
      return found;
    });
  }

  async getLatest(subject: string): Promise<RegisteredSchema> {
    const hit = this.latest.get(subject);
    if (
      hit !== undefined &&
      (this.options.latestTtlMs < 0 || Date.now() - hit.at < this.options.latestTtlMs)
    ) {
      return hit.schema;
    }
    return this.once(`latest:${subject}`, async () => {
      const schema = await this.delegate.getLatest(subject);
      this.latest.set(subject, { at: Date.now(), schema });
      this.byId.set(schema.id, schema.schema);
      return schema;
    });
  }

  private once<V>(key: string, load: () => Promise<V>): Promise<V> {
    return this.inFlight.run(key, load) as Promise<V>;
  }
}
