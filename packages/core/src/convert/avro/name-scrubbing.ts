// `scrub.invalid.names`: Avro names allow only [A-Za-z_][A-Za-z0-9_]*, Connect names allow anything.
// The rule is Confluent's, so that schemas registered by Java converters and by Sluice agree.

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters java.net.URLEncoder leaves as they are. */
const URL_SAFE = /[A-Za-z0-9.\-*_]/;

/** java.net.URLEncoder.encode(name, UTF-8): form encoding, space as `+`, upper-case `%XX`. */
function formEncode(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch === ' ') out += '+';
    else if (URL_SAFE.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** One simple name (no dots kept): `abc-def` → `abc_def`, `abc+def` → `abc_2Bdef`, `0abc` → `x0abc`. */
export function scrubName(name: string): string;
export function scrubName(name: string | null): string | null;
export function scrubName(name: string | null): string | null {
  if (name === null || name === '' || VALID_NAME.test(name)) return name;
  let encoded = formEncode(name);
  if (/^[0-9]/.test(encoded)) encoded = `x${encoded}`;
  return encoded.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A full name: the namespace is scrubbed part by part, so its dots stay. */
export function scrubFullName(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  if (dot < 0) return scrubName(fullName);
  const namespace = fullName
    .slice(0, dot)
    .split('.')
    .map((part) => scrubName(part))
    .join('.');
  return `${namespace}.${scrubName(fullName.slice(dot + 1))}`;
}
