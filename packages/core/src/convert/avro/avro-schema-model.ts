import { DataException } from '../../errors.js';

// Avro schema JSON parsed into a tree with names resolved (namespaces, references to named types
// defined earlier). avsc drops the custom properties AvroData depends on (`connect.*`,
// `logicalType` without a registered implementation, `precision`, `scale`), so AvroData reads
// schemas through this model and uses avsc only for the binary encoding.

export type AvroPrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** Custom properties of a schema (everything that is not part of the Avro type definition). */
export type AvroProps = Record<string, unknown>;

export type AvroNode =
  | { kind: 'primitive'; type: AvroPrimitiveName; props: AvroProps }
  | AvroRecord
  | {
      kind: 'enum';
      fullName: string;
      name: string;
      doc?: string;
      symbols: string[];
      default?: string;
      props: AvroProps;
    }
  | { kind: 'fixed'; fullName: string; name: string; size: number; props: AvroProps }
  | { kind: 'array'; items: AvroNode; props: AvroProps }
  | { kind: 'map'; values: AvroNode; props: AvroProps }
  | { kind: 'union'; branches: AvroNode[] };

export interface AvroRecord {
  kind: 'record';
  fullName: string;
  name: string;
  doc?: string;
  fields: AvroField[];
  props: AvroProps;
}

export interface AvroField {
  name: string;
  type: AvroNode;
  doc?: string;
  /** Present when the field declares a default (which may be JSON null). */
  default?: unknown;
  hasDefault: boolean;
}

const PRIMITIVES = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

const RESERVED: Record<string, Set<string>> = {
  primitive: new Set(['type']),
  record: new Set(['type', 'name', 'namespace', 'doc', 'fields', 'aliases']),
  error: new Set(['type', 'name', 'namespace', 'doc', 'fields', 'aliases']),
  enum: new Set(['type', 'name', 'namespace', 'doc', 'symbols', 'aliases', 'default']),
  fixed: new Set(['type', 'name', 'namespace', 'doc', 'size', 'aliases']),
  array: new Set(['type', 'items']),
  map: new Set(['type', 'values']),
};

/** Parses Avro schema JSON (text or already-parsed value). Throws DataException when it is not valid. */
export function parseAvroSchema(schema: unknown): AvroNode {
  const json = typeof schema === 'string' && !PRIMITIVES.has(schema) ? parseText(schema) : schema;
  return new AvroSchemaParser().parse(json, undefined);
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataException(`Avro schema is not valid JSON: ${(e as Error).message}`);
  }
}

class AvroSchemaParser {
  private readonly named = new Map<string, AvroNode>();

  parse(json: unknown, namespace: string | undefined): AvroNode {
    if (typeof json === 'string') return this.reference(json, namespace);
    if (Array.isArray(json)) return { kind: 'union', branches: json.map((b) => this.parse(b, namespace)) };
    if (typeof json !== 'object' || json === null) {
      throw new DataException(`Invalid Avro schema: ${JSON.stringify(json)}`);
    }
    const obj = json as Record<string, unknown>;
    const type = obj.type;
    if (typeof type !== 'string') {
      // `{"type": {...}}` and `{"type": [...]}` wrap a schema.
      if (typeof type === 'object' && type !== null) return this.parse(type, namespace);
      throw new DataException(`Avro schema has no type: ${JSON.stringify(json)}`);
    }
    if (PRIMITIVES.has(type)) {
      return { kind: 'primitive', type: type as AvroPrimitiveName, props: props(obj, RESERVED.primitive!) };
    }
    switch (type) {
      case 'record':
      case 'error':
        return this.record(obj, namespace);
      case 'enum': {
        const { fullName, name } = this.names(obj, namespace);
        if (!Array.isArray(obj.symbols)) throw new DataException(`Avro enum ${fullName} has no symbols`);
        const node: AvroNode = {
          kind: 'enum',
          fullName,
          name,
          symbols: obj.symbols.map(String),
          props: props(obj, RESERVED.enum!),
          ...(typeof obj.doc === 'string' ? { doc: obj.doc } : {}),
          ...(typeof obj.default === 'string' ? { default: obj.default } : {}),
        };
        this.define(fullName, node);
        return node;
      }
      case 'fixed': {
        const { fullName, name } = this.names(obj, namespace);
        if (typeof obj.size !== 'number') throw new DataException(`Avro fixed ${fullName} has no size`);
        const node: AvroNode = {
          kind: 'fixed',
          fullName,
          name,
          size: obj.size,
          props: props(obj, RESERVED.fixed!),
        };
        this.define(fullName, node);
        return node;
      }
      case 'array':
        return { kind: 'array', items: this.parse(obj.items, namespace), props: props(obj, RESERVED.array!) };
      case 'map':
        return { kind: 'map', values: this.parse(obj.values, namespace), props: props(obj, RESERVED.map!) };
      default:
        // `{"type": "com.acme.Named"}` refers to a named type.
        return this.reference(type, namespace);
    }
  }

  private record(obj: Record<string, unknown>, namespace: string | undefined): AvroRecord {
    const { fullName, name, namespace: ownNamespace } = this.names(obj, namespace);
    if (!Array.isArray(obj.fields)) throw new DataException(`Avro record ${fullName} has no fields`);
    const node: AvroRecord = {
      kind: 'record',
      fullName,
      name,
      fields: [],
      props: props(obj, RESERVED.record!),
      ...(typeof obj.doc === 'string' ? { doc: obj.doc } : {}),
    };
    // Defined before its fields are parsed, so that a field may refer to the record itself.
    this.define(fullName, node);
    for (const f of obj.fields as Record<string, unknown>[]) {
      if (typeof f?.name !== 'string')
        throw new DataException(`Avro record ${fullName} has a field without a name`);
      const hasDefault = Object.prototype.hasOwnProperty.call(f, 'default');
      node.fields.push({
        name: f.name,
        type: this.parse(f.type, ownNamespace),
        hasDefault,
        ...(hasDefault ? { default: f.default } : {}),
        ...(typeof f.doc === 'string' ? { doc: f.doc } : {}),
      });
    }
    return node;
  }

  private names(
    obj: Record<string, unknown>,
    enclosing: string | undefined,
  ): { fullName: string; name: string; namespace: string | undefined } {
    if (typeof obj.name !== 'string' || obj.name === '') {
      throw new DataException(
        `Avro ${String(obj.type)} schema has no name: ${JSON.stringify(obj).slice(0, 200)}`,
      );
    }
    const raw = obj.name;
    const dot = raw.lastIndexOf('.');
    if (dot >= 0) return { fullName: raw, name: raw.slice(dot + 1), namespace: raw.slice(0, dot) };
    const namespace = typeof obj.namespace === 'string' ? obj.namespace || undefined : enclosing;
    return { fullName: namespace ? `${namespace}.${raw}` : raw, name: raw, namespace };
  }

  private define(fullName: string, node: AvroNode): void {
    if (this.named.has(fullName)) throw new DataException(`Avro type ${fullName} is defined twice`);
    this.named.set(fullName, node);
  }

  private reference(name: string, namespace: string | undefined): AvroNode {
    if (PRIMITIVES.has(name)) return { kind: 'primitive', type: name as AvroPrimitiveName, props: {} };
    const found =
      (name.includes('.') ? undefined : namespace ? this.named.get(`${namespace}.${name}`) : undefined) ??
      this.named.get(name);
    if (!found) throw new DataException(`Avro schema refers to undefined type ${name}`);
    return found;
  }
}

function props(obj: Record<string, unknown>, reserved: Set<string>): AvroProps {
  const out: AvroProps = {};
  for (const key of Object.keys(obj)) if (!reserved.has(key)) out[key] = obj[key];
  return out;
}

/** The name avsc and Avro's JSON encoding give a union branch: the full name, or the type name. */
export function branchName(node: AvroNode): string {
  switch (node.kind) {
    case 'primitive':
      return node.type;
    case 'record':
    case 'enum':
    case 'fixed':
      return node.fullName;
    case 'array':
    case 'map':
      return node.kind;
    case 'union':
      throw new DataException('Avro unions cannot directly contain other unions');
  }
}
