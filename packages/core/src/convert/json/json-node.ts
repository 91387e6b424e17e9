// The JSON tree the JSON converter works on: what JSON.parse yields, plus exact numbers where JSON.parse
// would lose information. Integral numbers are `number` (when safe) or `bigint`; a non-integral number is
// a `number`, or a JsonNumberText when its exact text matters (a float literal read losslessly, or a
// number the writer must print verbatim such as `12.0` or `1.5600`).

export type JsonNode =
  null | boolean | string | number | bigint | JsonNumberText | JsonNode[] | { [key: string]: JsonNode };

export type JsonObject = { [key: string]: JsonNode };

/** A JSON number kept as its literal text. */
export class JsonNumberText {
  constructor(readonly text: string) {}

  toNumber(): number {
    return Number(this.text);
  }
}

export function isJsonObject(node: JsonNode | undefined): node is JsonObject {
  return (
    typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof JsonNumberText)
  );
}

/** Whether a number node was written as an integer literal (no fraction, no exponent). */
export function isIntegralNumber(node: JsonNode | undefined): node is number | bigint {
  return typeof node === 'bigint' || (typeof node === 'number' && Number.isInteger(node));
}

export function isNumberNode(node: JsonNode | undefined): node is number | bigint | JsonNumberText {
  return typeof node === 'number' || typeof node === 'bigint' || node instanceof JsonNumberText;
}

/** Jackson's JsonNodeType names, used in Kafka's error messages. */
export function nodeTypeName(node: JsonNode | undefined): string {
  if (node === undefined) return 'MISSING';
  if (node === null) return 'NULL';
  if (Array.isArray(node)) return 'ARRAY';
  if (isNumberNode(node)) return 'NUMBER';
  switch (typeof node) {
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return 'STRING';
    default:
      return 'OBJECT';
  }
}
