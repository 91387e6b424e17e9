// Kafka Connect's exception kinds (org.apache.kafka.connect.errors). The runtime acts on the kind:
// DataException is tolerable in converter/transform stages (errors.tolerance), RetriableException
// makes the sink loop redeliver the same batch, any other ConnectException fails the task.

export class ConnectException extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Conversion or validation failure: a record that can never be accepted as it is. */
export class DataException extends ConnectException {}

/** The operation may succeed if retried later (store down, timeout, throttled). */
export class RetriableException extends ConnectException {}

export class SchemaBuilderException extends DataException {}

export class SchemaProjectorException extends DataException {}

export class NotFoundException extends ConnectException {}

export class AlreadyExistsException extends ConnectException {}

/** A connector or worker configuration that cannot be used; names the key and why. */
export class ConfigException extends ConnectException {
  constructor(
    readonly key: string | undefined,
    message: string,
  ) {
    super(key ? `Invalid value for configuration ${key}: ${message}` : message);
  }
}
