import { JsonNumberText, type JsonNode } from './json-node.js';

// Compact JSON text from a JsonNode tree (bigints and verbatim numbers included), plus the number
// formats Java's JsonConverter writes: Double.toString / Float.toString.

export function writeJson(node: JsonNode): string {
  if (node === null) return 'null';
  switch (typeof node) {
    case 'string':
      return JSON.stringify(node);
    case 'number':
      return Number.isFinite(node) ? String(node) : JSON.stringify(String(node));
    case 'bigint':
      return node.toString();
    case 'boolean':
      return node ? 'true' : 'false';
  }
  if (node instanceof JsonNumberText) return node.text;
  if (Array.isArray(node)) return `[${node.map(writeJson).join(',')}]`;
  let out = '{';
  let first = true;
  for (const key of Object.keys(node)) {
    out += `${first ? '' : ','}${JSON.stringify(key)}:${writeJson(node[key] as JsonNode)}`;
    first = false;
  }
  return out + '}';
}

/**
 * Java's Double.toString: `12.0` for integral values, `1.0E7` / `1.0E-4` outside [1e-3, 1e7). Jackson
 * writes NaN and the infinities as strings. A JSON reader that sees `12` would take an INT64, so the `.0`
 * matters.
 */
export function javaDoubleText(value: number): JsonNumberText | string {
  if (!Number.isFinite(value)) return String(value);
  return new JsonNumberText(formatJavaFloating(value));
}

/** Java's Float.toString: the shortest decimal that reads back as the same float32. */
export function javaFloatText(value: number): JsonNumberText | string {
  if (!Number.isFinite(value)) return String(value);
  const f = Math.fround(value);
  for (let p = 1; p < 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return new JsonNumberText(formatJavaFloating(candidate));
  }
  return new JsonNumberText(formatJavaFloating(Number(f.toPrecision(9))));
}

function formatJavaFloating(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    // JS prints this range without an exponent and with the shortest round-trip digits, like Java.
    const plain = String(value);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [digits, exponent] = value.toExponential().split('e') as [string, string];
  return `${digits.includes('.') ? digits : `${digits}.0`}E${Number(exponent)}`;
}
