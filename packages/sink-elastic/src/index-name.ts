import { ConfigException, describeType, isDecimal, type RecordView } from '@sluice/core/sink';
import { KCQL_KEY } from './config.js';

// The index a record goes to (spec/stream-reactor-sinks.md §8.2): a static name, or a value read from
// the record (`_key`, `_key.path`, `_value.path`, `_header.<name>[.path]`; segments may be single-quoted
// to hold dots, `_header.'prefix.abc.suffix'`), then the WITHINDEXSUFFIX text with its `{pattern}`
// fragments formatted from the current UTC time. Elasticsearch index names are lower case, so the name
// is lower-cased (the reference sent `indexB` as is, which Elasticsearch refuses).

export type IndexTarget =
  | { readonly kind: 'static'; readonly name: string }
  | {
      readonly kind: 'key' | 'value' | 'header';
      /** For a header: its name first, then the path inside its value. */
      readonly path: readonly string[];
      /** As the user wrote it, for messages. */
      readonly text: string;
    };

export function parseIndexTarget(target: string): IndexTarget {
  const segments = splitQuoted(target);
  const root = segments[0];
  if (root === '_key' || root === '_value' || root === '_header') {
    const path = segments.slice(1);
    if (root === '_header' && path.length === 0) {
      throw new ConfigException(KCQL_KEY, `target ${target}: _header needs a header name (_header.<name>).`);
    }
    if (root === '_value' && path.length === 0) {
      throw new ConfigException(KCQL_KEY, `target ${target}: _value needs a field path (_value.<field>).`);
    }
    return { kind: root.slice(1) as 'key' | 'value' | 'header', path, text: target };
  }
  return { kind: 'static', name: target.toLowerCase() };
}

/** `a.'b.c'.d` → [a, b.c, d]. */
function splitQuoted(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (ch === '.' && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) throw new ConfigException(KCQL_KEY, `target ${text} has an unclosed quote.`);
  out.push(current);
  if (out.some((s) => s === ''))
    throw new ConfigException(KCQL_KEY, `target ${text} has an empty path segment.`);
  return out;
}

/** The index named by a dynamic target for one record; a DataException when the record lacks it. */
export function resolveIndex(view: RecordView, target: IndexTarget): string {
  if (target.kind === 'static') return target.name;
  let current: unknown;
  let path = target.path;
  if (target.kind === 'header') {
    const header = [...view.record.headers].reverse().find((h) => h.key === path[0]);
    if (!header) throw view.error(`the record has no header '${path[0]}' to name its index`, target.text);
    current = parseJsonObject(header.value);
    path = path.slice(1);
  } else current = target.kind === 'key' ? view.key() : view.value();
  for (const name of path) {
    current = childValue(current, name);
    if (current === undefined) {
      throw view.error(`the record has no '${name}' on the way to its index name`, target.text);
    }
  }
  if (current === null) throw view.error('the index name is null', target.text);
  const name =
    typeof current === 'string'
      ? current
      : typeof current === 'number' || typeof current === 'bigint' || typeof current === 'boolean'
        ? String(current)
        : isDecimal(current)
          ? current.toString()
          : Buffer.isBuffer(current)
            ? current.toString('utf8')
            : null;
  if (name === null || name.trim() === '') {
    throw view.error(
      `the index name must be a non-empty text or number, found ${describeType(current)}`,
      target.text,
    );
  }
  return name.toLowerCase();
}

function parseJsonObject(value: unknown): unknown {
  if (typeof value === 'string' && value.trimStart().startsWith('{')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

function childValue(container: unknown, name: string): unknown {
  if (container === null || container === undefined || typeof container !== 'object') return undefined;
  const c = container as {
    get?: (n: string) => unknown;
    schema?: { type?: string; field?(n: string): unknown };
  };
  if (c.schema?.type === 'STRUCT' && typeof c.get === 'function') {
    return c.schema.field?.(name) ? c.get(name) : undefined;
  }
  if (container instanceof Map) return container.has(name) ? container.get(name) : undefined;
  return Object.prototype.hasOwnProperty.call(container, name)
    ? (container as Record<string, unknown>)[name]
    : undefined;
}

/**
 * WITHINDEXSUFFIX: literal text with `{pattern}` fragments in Java DateTimeFormatter letters, formatted
 * in UTC. Supported letters: y u Y (year; `YYYY` is read as the calendar year, which is what suffixes
 * mean, where Java would use the week-based year around New Year), M (1, 01, Jan, January), d, D
 * (day of year), H, h, m, s, S (fraction), E (Mon), a; text in single quotes is literal.
 */
export class IndexSuffix {
  private readonly parts: readonly (string | DatePattern)[];

  constructor(readonly text: string) {
    const parts: (string | DatePattern)[] = [];
    let rest = text;
    while (rest !== '') {
      const open = rest.indexOf('{');
      const close = rest.indexOf('}');
      if (open < 0) {
        if (close >= 0) throw suffixError(text, 'has a } without a {');
        parts.push(rest);
        break;
      }
      if (close >= 0 && close < open) throw suffixError(text, 'has a } without a {');
      const end = rest.indexOf('}', open);
      if (end < 0) throw suffixError(text, 'has a { without a }');
      if (open > 0) parts.push(rest.slice(0, open));
      parts.push(new DatePattern(rest.slice(open + 1, end), text));
      rest = rest.slice(end + 1);
    }
    this.parts = parts;
  }

  format(now: Date): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : p.format(now))).join('');
  }
}

function suffixError(text: string, why: string): ConfigException {
  return new ConfigException(KCQL_KEY, `WITHINDEXSUFFIX ${text} ${why}.`);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token = { letter: string; count: number } | string;

class DatePattern {
  private readonly tokens: readonly Token[];

  constructor(pattern: string, suffix: string) {
    const tokens: Token[] = [];
    for (let i = 0; i < pattern.length;) {
      const ch = pattern[i]!;
      if (ch === "'") {
        const end = pattern.indexOf("'", i + 1);
        if (end < 0) throw suffixError(suffix, 'has an unclosed quote');
        tokens.push(end === i + 1 ? "'" : pattern.slice(i + 1, end));
        i = end + 1;
      } else if (/[A-Za-z]/.test(ch)) {
        let n = 1;
        while (pattern[i + n] === ch) n++;
        if (!'yuYMdDHhmsSEa'.includes(ch)) {
          throw suffixError(
            suffix,
            `uses the pattern letter '${ch}', which Sluice does not format (use y M d H m s)`,
          );
        }
        tokens.push({ letter: ch, count: n });
        i += n;
      } else {
        tokens.push(ch);
        i++;
      }
    }
    this.tokens = tokens;
  }

  format(d: Date): string {
    return this.tokens.map((t) => (typeof t === 'string' ? t : field(d, t.letter, t.count))).join('');
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function field(d: Date, letter: string, count: number): string {
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y': {
      const year = d.getUTCFullYear();
      return count === 2 ? pad(year % 100, 2) : pad(year, count);
    }
    case 'M': {
      const month = d.getUTCMonth();
      if (count >= 4) return MONTHS[month]!;
      if (count === 3) return MONTHS[month]!.slice(0, 3);
      return pad(month + 1, count);
    }
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'D': {
      const start = Date.UTC(d.getUTCFullYear(), 0, 1);
      return pad(Math.floor((d.getTime() - start) / 86_400_000) + 1, count);
    }
    case 'H':
      return pad(d.getUTCHours(), count);
    case 'h':
      return pad(((d.getUTCHours() + 11) % 12) + 1, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return pad(d.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count);
    case 'E':
      return count >= 4 ? DAYS[d.getUTCDay()]! : DAYS[d.getUTCDay()]!.slice(0, 3);
    case 'a':
      return d.getUTCHours() < 12 ? 'AM' : 'PM';
    default:
      return '';
  }
}
