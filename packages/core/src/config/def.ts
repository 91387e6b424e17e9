import { ConfigException } from '../errors.js';

// Kafka Connect's ConfigDef, reduced to what connectors and workers declare: each key has a type,
// a default, docs and an importance, and PASSWORD keys are secrets that REST and logs mask.

export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'PASSWORD' | 'CLASS';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';

/** Parsed value of a key, by type: LIST → string[], LONG → number (ms-style values fit a double). */
export type ConfigValue = string | number | boolean | string[] | Password | null;

/** A secret config value. Its toString() is masked so it cannot leak through logs by accident. */
export class Password {
  static readonly HIDDEN = '[hidden]';
  constructor(private readonly secret: string) {}
  value(): string {
    return this.secret;
  }
  toString(): string {
    return Password.HIDDEN;
  }
  toJSON(): string {
    return Password.HIDDEN;
  }
}

/** Throws a message (without the key: the caller adds it) when a parsed value is not acceptable. */
export type Validator = (value: ConfigValue, key: string) => void;

export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** `undefined` means required (no default). */
  default?: ConfigValue;
  importance: Importance;
  doc: string;
  group?: string;
  validator?: Validator;
  /** Values a UI may offer (REST validate's `recommended_values`). */
  recommendedValues?: string[];
  /** Older names accepted for the same key (e.g. Stream Reactor renames). */
  aliases?: string[];
}

export interface ConfigValidationResult {
  name: string;
  value: string | null;
  errors: string[];
  recommendedValues: string[];
  visible: boolean;
}

export class ConfigDef {
  private readonly keys = new Map<string, ConfigKey>();

  define(key: ConfigKey): this {
    if (this.keys.has(key.name)) throw new Error(`Configuration ${key.name} is defined twice.`);
    this.keys.set(key.name, key);
    return this;
  }

  /** A new definition holding this one's keys and then `other`'s. */
  merge(other: ConfigDef): ConfigDef {
    const merged = new ConfigDef();
    for (const k of this.keys.values()) merged.define(k);
    for (const k of other.keys.values()) if (!merged.keys.has(k.name)) merged.define(k);
    return merged;
  }

  configKeys(): ReadonlyMap<string, ConfigKey> {
    return this.keys;
  }

  isSecret(name: string): boolean {
    return this.keys.get(name)?.type === 'PASSWORD';
  }

  /** Parses every defined key; throws ConfigException naming the first bad key. */
  parse(props: Record<string, string>): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    for (const key of this.keys.values()) {
      const errors = this.validateKey(key, props);
      if (errors.length > 0) throw new ConfigException(key.name, errors[0]!);
      out[key.name] = parseKeyValue(key, rawValue(key, props));
    }
    return out;
  }

  /** Per-key results, as REST's `/connector-plugins/{plugin}/config/validate` reports them. */
  validate(props: Record<string, string>): ConfigValidationResult[] {
    return [...this.keys.values()].map((key) => {
      const raw = rawValue(key, props);
      return {
        name: key.name,
        value: raw === undefined ? null : key.type === 'PASSWORD' ? Password.HIDDEN : raw,
        errors: this.validateKey(key, props),
        recommendedValues: key.recommendedValues ?? [],
        visible: true,
      };
    });
  }

  private validateKey(key: ConfigKey, props: Record<string, string>): string[] {
    const raw = rawValue(key, props);
    if (raw === undefined && key.default === undefined) {
      return [`Missing required configuration "${key.name}" which has no default value.`];
    }
    try {
      const value = parseKeyValue(key, raw);
      key.validator?.(value, key.name);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
}

function rawValue(key: ConfigKey, props: Record<string, string>): string | undefined {
  if (props[key.name] !== undefined) return props[key.name];
  for (const alias of key.aliases ?? []) if (props[alias] !== undefined) return props[alias];
  return undefined;
}

function parseKeyValue(key: ConfigKey, raw: string | undefined): ConfigValue {
  if (raw === undefined) return key.default === undefined ? null : key.default;
  const text = raw.trim();
  switch (key.type) {
    case 'STRING':
    case 'CLASS':
      return text;
    case 'PASSWORD':
      return new Password(raw);
    case 'BOOLEAN':
      if (/^true$/i.test(text)) return true;
      if (/^false$/i.test(text)) return false;
      throw new Error(`Expected value to be either true or false, found '${raw}'`);
    case 'INT':
    case 'LONG': {
      if (!/^[-+]?\d+$/.test(text)) throw new Error(`Not a number of type ${key.type}: '${raw}'`);
      const n = Number(text);
      if (key.type === 'INT' && (n < -2147483648 || n > 2147483647))
        throw new Error(`Not a number of type INT: '${raw}'`);
      return n;
    }
    case 'DOUBLE': {
      const n = Number(text);
      if (text === '' || Number.isNaN(n)) throw new Error(`Not a number of type DOUBLE: '${raw}'`);
      return n;
    }
    case 'LIST':
      return text === '' ? [] : text.split(',').map((s) => s.trim());
  }
}

/** Validators in the style of ConfigDef.Range / ValidString. */
export const validators = {
  atLeast(min: number): Validator {
    return (v) => {
      if (typeof v === 'number' && v < min) throw new Error(`Value must be at least ${min}`);
    };
  },
  between(min: number, max: number): Validator {
    return (v) => {
      if (typeof v === 'number' && (v < min || v > max)) throw new Error(`Value must be in [${min}, ${max}]`);
    };
  },
  oneOf(allowed: string[], caseInsensitive = true): Validator {
    return (v) => {
      if (v === null || typeof v !== 'string') return;
      const ok = caseInsensitive
        ? allowed.some((a) => a.toLowerCase() === v.toLowerCase())
        : allowed.includes(v);
      if (!ok) throw new Error(`String must be one of: ${allowed.join(', ')}`);
    };
  },
  nonEmptyString(): Validator {
    return (v) => {
      if (typeof v === 'string' && v.trim() === '') throw new Error('String must be non-empty');
    };
  },
};

/** Masks secret values for REST responses and logs: PASSWORD keys of `def`, plus any key whose name says it is secret. */
export function maskSecrets(props: Record<string, string>, def?: ConfigDef): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    // A config provider placeholder (`${file:/etc/secrets.properties:password}`) is shown as it is, as
    // Kafka does: it names where the secret is, not the secret.
    out[k] = (def?.isSecret(k) || looksSecret(k)) && !isProviderPlaceholder(v) ? Password.HIDDEN : v;
  }
  return out;
}

/** A value that is one config provider placeholder and nothing else: `${provider:[path:]key}`. */
export function isProviderPlaceholder(value: string): boolean {
  return /^\$\{[^}:]+:[^}]*\}$/.test(value.trim());
}

const SECRET_KEY =
  /(password|passwd|secret|token|credentials|api\.key|apikey|private\.key|sasl\.jaas\.config|basic\.auth\.user\.info|\.key\.password|keystore\.password|truststore\.password|keystore\.key$)/i;

export function looksSecret(key: string): boolean {
  return SECRET_KEY.test(key);
}
