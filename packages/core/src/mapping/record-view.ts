import { DataException } from '../errors.js';
import type { SinkRecord } from '../sink/api.js';
import { describeType, isContainer } from './connect-values.js';

// A SinkRecord seen as a tree KCQL paths can walk: its value and key, with JSON text (a String or
// bytes value from the StringConverter / ByteArrayConverter) parsed once, on first use.

export interface MappingContext {
  /** Named in every error, so that an operator knows which connector to look at. */
  readonly connectorName?: string;
}

export class RecordView {
  private parsedValue: unknown;
  private parsedKey: unknown;
  private valueDone = false;
  private keyDone = false;

  constructor(
    readonly record: SinkRecord,
    readonly context: MappingContext = {},
  ) {}

  /** The value as a container (Struct, Map or object); throws DataException for anything else. */
  value(): unknown {
    if (!this.valueDone) {
      this.parsedValue = this.asContainer(this.record.value, 'value');
      this.valueDone = true;
    }
    return this.parsedValue;
  }

  /** The key: a container when it is one or holds JSON text of an object, otherwise the raw key. */
  key(): unknown {
    if (!this.keyDone) {
      this.parsedKey = parseKey(this.record.key);
      this.keyDone = true;
    }
    return this.parsedKey;
  }

  /** A DataException naming connector, topic, partition, offset and (when given) the field. */
  error(message: string, field?: string, cause?: unknown): DataException {
    return recordError(this.record, this.context, message, field, cause);
  }

  private asContainer(raw: unknown, what: 'value'): unknown {
    if (raw === null || raw === undefined) {
      throw this.error(`the ${what} is null (a tombstone) and has no fields to map`);
    }
    if (isContainer(raw)) return raw;
    if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
      const parsed = parseJson(raw, (e) =>
        this.error(`the ${what} is not valid JSON (${e.message})`, undefined, e),
      );
      if (isContainer(parsed)) return parsed;
      throw this.error(`the ${what} is JSON ${describeType(parsed)}, not a JSON object`);
    }
    throw this.error(
      `a ${what} of type ${describeType(raw)} cannot be mapped; expected a Struct, a Map or JSON text of an object`,
    );
  }
}

export function recordError(
  record: SinkRecord,
  context: MappingContext,
  message: string,
  field?: string,
  cause?: unknown,
): DataException {
  const who = context.connectorName ? `Connector ${context.connectorName}: ` : '';
  const where = `topic ${record.topic} partition ${record.kafkaPartition} offset ${record.kafkaOffset}`;
  const what = field === undefined ? '' : ` field '${field}':`;
  return new DataException(`${who}record at ${where}:${what} ${message}`, { cause });
}

function parseJson(text: string | Buffer, fail: (e: Error) => Error): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (e) {
    throw fail(e as Error);
  }
}

function parseKey(raw: unknown): unknown {
  if (typeof raw !== 'string' && !Buffer.isBuffer(raw)) return raw;
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (!text.trimStart().startsWith('{')) return raw;
  try {
    return JSON.parse(text);
  } catch {
    return raw;
  }
}
