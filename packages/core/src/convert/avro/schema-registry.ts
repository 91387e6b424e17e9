import { ConnectException } from '../../errors.js';

/** A schema as the registry knows it under a subject. `schema` is the raw schema text (Avro JSON). */
export interface RegisteredSchema {
  id: number;
  version: number;
  subject: string;
  schema: string;
}

/**
 * The part of the Confluent Schema Registry REST API the Avro converter uses. The HTTP client
 * implements it against a real registry; unit tests use an in-memory fake.
 */
export interface SchemaRegistry {
  /** `GET /schemas/ids/{id}`: the raw schema text. */
  getSchemaById(id: number): Promise<string>;
  /** `POST /subjects/{subject}/versions`: registers (or finds) the schema, returns its global id. */
  register(subject: string, schema: string, normalize: boolean): Promise<number>;
  /** `POST /subjects/{subject}`: id and version of a schema already registered under the subject. */
  lookup(subject: string, schema: string, normalize: boolean): Promise<RegisteredSchema>;
  /** `GET /subjects/{subject}/versions/latest`. */
  getLatest(subject: string): Promise<RegisteredSchema>;
}

/**
 * A registry answered with an error. `status` is the HTTP status, `errorCode` Confluent's
 * `error_code` (40401 subject not found, 40402 version not found, 40403 schema not found,
 * 409 incompatible, 42201 invalid schema).
 */
export class SchemaRegistryError extends ConnectException {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: number,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** The registry could not be reached or answered 5xx/429: a later attempt may succeed. */
export class SchemaRegistryUnavailableError extends ConnectException {}

export const ERROR_SUBJECT_NOT_FOUND = 40401;
export const ERROR_VERSION_NOT_FOUND = 40402;
export const ERROR_SCHEMA_NOT_FOUND = 40403;
