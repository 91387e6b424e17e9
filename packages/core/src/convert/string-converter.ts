import { ConfigException, DataException } from '../errors.js';
import { ConfigDef } from '../config/def.js';
import { ConnectDecimal } from '../data/connect-decimal.js';
import { Schema } from '../data/schema.js';
import { SchemaAndValue } from '../data/schema-and-value.js';
import { Struct } from '../data/struct.js';
import { Values } from '../data/values.js';
import type { Converter, ConverterConfig, HeaderConverter } from './api.js';

export const STRING_CONVERTER_CONFIG = new ConfigDef().define({
  name: 'converter.encoding',
  type: 'STRING',
  default: 'UTF-8',
  importance: 'HIGH',
  doc: 'The name of the Java character set used to encode and decode strings (UTF-8, UTF-16, UTF-16BE, UTF-16LE, ISO-8859-1, US-ASCII).',
});

interface Charset {
  encode(text: string): Buffer;
  decode(bytes: Buffer): string;
}

function nodeCharset(encoding: BufferEncoding): Charset {
  return { encode: (t) => Buffer.from(t, encoding), decode: (b) => b.toString(encoding) };
}

function swapBytes(bytes: Buffer): Buffer {
  return Buffer.from(bytes).swap16();
}

const UTF16_BE: Charset = {
  encode: (t) => swapBytes(Buffer.from(t, 'utf16le')),
  decode: (b) => new TextDecoder('utf-16be').decode(b),
};

/** Java's "UTF-16": writes big-endian with a byte-order mark; reads the mark (big-endian without one). */
const UTF16_BOM: Charset = {
  encode: (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), UTF16_BE.encode(t)]),
  decode: (b) =>
    b[0] === 0xff && b[1] === 0xfe
      ? b.subarray(2).toString('utf16le')
      : UTF16_BE.decode(b[0] === 0xfe && b[1] === 0xff ? b.subarray(2) : b),
};

const CHARSETS: Record<string, Charset> = {
  'utf-8': nodeCharset('utf8'),
  utf8: nodeCharset('utf8'),
  'utf-16le': nodeCharset('utf16le'),
  'utf-16be': UTF16_BE,
  'utf-16': UTF16_BOM,
  'iso-8859-1': nodeCharset('latin1'),
  latin1: nodeCharset('latin1'),
  'us-ascii': nodeCharset('ascii'),
  ascii: nodeCharset('ascii'),
};

/**
 * Kafka Connect's org.apache.kafka.connect.storage.StringConverter. Writes a value's string form (a Struct
 * as `Struct{…}`; lists, maps, bytes and dates in the header-string syntax, where Java would print the
 * object's toString()) and reads every value as an optional string.
 */
export class StringConverter implements Converter, HeaderConverter {
  #charset: Charset = CHARSETS['utf-8'] as Charset;

  config(): ConfigDef {
    return STRING_CONVERTER_CONFIG;
  }

  configure(config: ConverterConfig, _isKey?: boolean): void {
    const name = STRING_CONVERTER_CONFIG.parse(config)['converter.encoding'] as string;
    const charset = CHARSETS[name.toLowerCase()];
    if (!charset) {
      throw new ConfigException(
        'converter.encoding',
        `unsupported character set "${name}"; use one of ${Object.keys(CHARSETS).join(', ')}`,
      );
    }
    this.#charset = charset;
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return this.#charset.encode(stringForm(schema, value));
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return new SchemaAndValue(
      Schema.OPTIONAL_STRING_SCHEMA,
      bytes == null ? null : this.#charset.decode(bytes),
    );
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

function stringForm(schema: Schema | null, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Struct || value instanceof ConnectDecimal) return value.toString();
  const text = Values.convertToString(schema, value);
  if (text === null) throw new DataException('StringConverter cannot write a null value');
  return text;
}
