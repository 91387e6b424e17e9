// Java's `.properties` format (java.util.Properties#load), so that worker and connector files written
// for Kafka Connect load unchanged: `#`/`!` comments, `=`/`:`/whitespace separators, backslash line
// continuations, and the escapes \t \n \r \f \uXXXX (any other escaped character stands for itself).

export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of logicalLines(text)) {
    const { key, value } = splitKeyValue(line);
    out[unescape(key)] = unescape(value);
  }
  return out;
}

/** Joins continuation lines and drops comments and blank lines; leading whitespace is removed. */
function logicalLines(text: string): string[] {
  const natural = text.split(/\r\n|\r|\n/);
  const lines: string[] = [];
  let pending: string | null = null;
  for (const raw of natural) {
    const trimmed = raw.replace(/^[ \t\f]+/, '');
    if (pending === null) {
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
      pending = '';
    }
    if (endsWithContinuation(trimmed)) {
      pending += trimmed.slice(0, -1);
    } else {
      lines.push(pending + trimmed);
      pending = null;
    }
  }
  // A file that ends in the middle of a continuation keeps what it has, as Java does.
  if (pending !== null && pending !== '') lines.push(pending);
  return lines;
}

/** An odd number of trailing backslashes means the last one escapes the line break. */
function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    i++;
  }
  const key = line.slice(0, Math.min(i, line.length));
  let j = i;
  while (j < line.length && isBlank(line[j]!)) j++;
  if (j < line.length && (line[j] === '=' || line[j] === ':')) {
    j++;
    while (j < line.length && isBlank(line[j]!)) j++;
  }
  return { key, value: line.slice(j) };
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f';
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break; // a lone trailing backslash is dropped
    switch (next) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex))
          throw new Error(`Malformed \\uxxxx encoding in properties: '\\u${hex}'`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += next;
    }
  }
  return out;
}
