import { formatJavaDouble, formatJavaFloat } from '../../data/java-number-format.js';
import { JsonNumberText, type JsonNode } from './json-node.js';

// Compact JSON text from a JsonNode tree (bigints and verbatim numbers included), and float payloads in
// the format Java's JsonConverter writes.

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

/** A float64 payload as Java writes it (`12.0`, `1.0E7`); Jackson writes NaN and infinities as strings. */
export function javaDoubleText(value: number): JsonNumberText | string {
  return Number.isFinite(value) ? new JsonNumberText(formatJavaDouble(value)) : String(value);
}

/** A float32 payload as Java writes it: the shortest decimal that reads back as the same float32. */
export function javaFloatText(value: number): JsonNumberText | string {
  return Number.isFinite(value) ? new JsonNumberText(formatJavaFloat(value)) : String(value);
}
