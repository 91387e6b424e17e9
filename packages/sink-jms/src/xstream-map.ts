// The body of a STOMP SEND with `transformation: jms-map-json`: ActiveMQ turns it into a MapMessage
// with XStream (JSON through Jettison's "mapped" convention). Each entry names its Java type, which
// is how a MapMessage gets typed values (getInt, getLong, getDouble…) rather than strings:
//   {"map":{"entry":[{"string":["name","Ada"]},{"string":"age","int":36},{"string":"id","long":"5000000000"}]}}
// Nested maps and lists become java.util.HashMap / ArrayList entries (ActiveMQ's MapMessage carries
// them). What XStream cannot take through ActiveMQ's allow-list (byte[]) never gets here: the value
// mapping turns bytes into base64 text first. Numbers are written as JSON strings: XStream reads the
// text, so a long beyond 2^53 arrives exact.

export type MapItem =
  | { readonly t: 'null' }
  | { readonly t: 'boolean'; readonly v: boolean }
  | { readonly t: 'byte' | 'short' | 'int' | 'float' | 'double'; readonly v: number }
  | { readonly t: 'long'; readonly v: bigint }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'map'; readonly v: readonly (readonly [string, MapItem])[] }
  | { readonly t: 'list'; readonly v: readonly MapItem[] };

/** Thrown for a value XStream's JSON cannot express (a list that mixes types). */
export class MapBodyError extends Error {}

/** The XStream JSON text for a MapMessage with these entries. */
export function xstreamMapBody(entries: readonly (readonly [string, MapItem])[]): string {
  return JSON.stringify({ map: mapNode(entries) });
}

function mapNode(entries: readonly (readonly [string, MapItem])[]): unknown {
  if (entries.length === 0) return '';
  return { entry: entries.map(([key, item]) => entryNode(key, item)) };
}

function entryNode(key: string, item: MapItem): unknown {
  // Key and value of the same element name travel as one array: {"string": [key, value]}.
  if (item.t === 'string') return { string: [key, item.v] };
  return { string: key, [item.t]: valueNode(item) };
}

function valueNode(item: MapItem): unknown {
  switch (item.t) {
    case 'null':
      return '';
    case 'boolean':
      return item.v;
    case 'long':
      return item.v.toString();
    case 'string':
      return item.v;
    case 'map':
      return mapNode(item.v);
    case 'list':
      return listNode(item.v);
    default:
      return numberText(item.v);
  }
}

/**
 * A list groups its elements by element name ({"int": [1, 2]}): Jettison's mapped convention keeps the
 * order within one name only, so a list must hold one type (a Connect array does; nulls inside it do not).
 */
function listNode(items: readonly MapItem[]): unknown {
  if (items.length === 0) return '';
  const types = new Set(items.map((i) => i.t));
  if (types.size > 1) {
    throw new MapBodyError(
      `a MapMessage list holds one type of element; this one mixes ${[...types].join(', ')} (a null inside an array counts as a type)`,
    );
  }
  const [type] = types;
  return { [type!]: items.map(valueNode) };
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}
