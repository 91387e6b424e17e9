import { DataException } from '../errors.js';
import { JsonNumberText, type JsonNode } from '../convert/json/json-node.js';
import { convertJsonText, INEXACT_NUMBER } from '../convert/json/json-parser.js';
import type { SinkRecord } from '../data/sink-record.js';
import { describeType, isContainer } from './connect-values.js';

// A SinkRecord seen as a tree KCQL paths can walk: its value and key, with JSON text (a String or
// bytes value from the StringConverter / ByteArrayConverter) parsed once, on first use. JSON text is
// parsed exactly: an integer beyond 2^53 stays a bigint (JSON.parse would round it), other numbers are
// JS numbers.

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
    return parseJsonText(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (e) {
    throw fail(e as Error);
  }
}

/** JSON text as plain JS values, integers beyond 2^53 as bigint (core's exact parser when needed). */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw new SyntaxError('the text is empty');
  return convertJsonText(text, plainJson);
}

// On JSON.parse's fast path an integer beyond 2^53 arrives rounded: INEXACT_NUMBER makes
// convertJsonText parse again exactly, where it is a bigint and a fraction is a JsonNumberText.
function plainJson(node: JsonNode | undefined): unknown {
  if (node === undefined) return undefined;
  if (typeof node === 'number') {
    if (Number.isInteger(node) && !Number.isSafeInteger(node)) throw INEXACT_NUMBER;
    return node;
  }
  if (node instanceof JsonNumberText) return node.toNumber();
  if (Array.isArray(node)) return node.map(plainJson);
  if (typeof node === 'object' && node !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      // As JSON.parse does: `__proto__` is an ordinary key, not the prototype.
      Object.defineProperty(out, k, {
        value: plainJson(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return node;
}

function parseKey(raw: unknown): unknown {
  if (typeof raw !== 'string' && !Buffer.isBuffer(raw)) return raw;
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (!text.trimStart().startsWith('{')) return raw;
  try {
    return parseJsonText(text);
  } catch {
    return raw;
  }
}
