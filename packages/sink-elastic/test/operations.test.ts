import { ConfigException, DataException, projectRecord } from '@sluice/core/sink';
import { documentJson, esJsonHooks } from '../src/documents.js';
import { describe, expect, it } from 'vitest';
import { compileRoute, toOperation, type ElasticOperation } from '../src/operations.js';
import { kcql, orderStruct, record } from './records.js';

const route = (text: string, pkSeparator = '-') => compileRoute(kcql(text), { pkSeparator, maxInFlight: 2 });

function lines(op: ElasticOperation | null): unknown[] {
  expect(op).not.toBeNull();
  return op!.body
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

describe('INSERT → index action', () => {
  it('without PK the id is topic-partition-offset, so a replay overwrites', () => {
    const op = toOperation(record({ a: 1 }), route('INSERT INTO indexA SELECT * FROM orders'));
    expect(lines(op)).toEqual([{ index: { _index: 'indexa', _id: 'orders-2-17' } }, { a: 1 }]);
  });

  it('the Stream Reactor example: selection, alias, PK y (schemaless JSON text)', () => {
    const op = toOperation(
      record(JSON.stringify({ x: 1, y: 'why', zc: true, other: 5 })),
      route('INSERT INTO indexB SELECT x AS a, y, zc FROM topicB PK y'),
    );
    expect(lines(op)).toEqual([{ index: { _index: 'indexb', _id: 'why' } }, { a: 1, y: 'why', zc: true }]);
  });

  it('several PK fields are joined with pk.separator; _key. and _header. paths work', () => {
    const op = toOperation(
      record(new Map([['a', 1]]), {
        key: JSON.stringify({ k: 'K' }),
        headers: [{ key: 'h', schema: null, value: 'H' }],
      }),
      route('INSERT INTO i SELECT * FROM orders PK a, _key.k, _header.h', '|'),
    );
    expect(lines(op)[0]).toEqual({ index: { _index: 'i', _id: '1|K|H' } });
  });

  it('JSON text (StringConverter) keeps integers beyond 2^53 exact', () => {
    const op = toOperation(
      record('{"id":"a","big":9007199254740993,"f":1.5}', { valueSchema: null }),
      route('INSERT INTO i SELECT * FROM orders'),
    );
    expect(op!.body.split('\n')[1]).toBe('{"id":"a","big":9007199254740993,"f":1.5}');
  });

  it('WITHSTRUCTURE keeps nested paths in place', () => {
    const op = toOperation(
      record({ a: { b: 1, c: 2 }, d: 3 }),
      route('INSERT INTO i SELECT a.b, d FROM orders WITHSTRUCTURE'),
    );
    expect(lines(op)[1]).toEqual({ a: { b: 1 }, d: 3 });
  });

  it('IGNORE is applied (the reference parsed it and ignored it)', () => {
    const op = toOperation(
      record({ a: 1, secret: 'x' }),
      route('INSERT INTO i SELECT * FROM orders IGNORE secret'),
    );
    expect(lines(op)[1]).toEqual({ a: 1 });
  });

  it('WITHPIPELINE is sent on the action', () => {
    const op = toOperation(
      record({ a: 1 }),
      route('INSERT INTO i SELECT * FROM orders WITHPIPELINE = clean'),
    );
    expect(lines(op)[0]).toEqual({ index: { _index: 'i', _id: 'orders-2-17', pipeline: 'clean' } });
  });

  it('a PK that is an object is a record error naming the field', () => {
    expect(() =>
      toOperation(record({ a: { b: 1 } }), route('INSERT INTO i SELECT * FROM orders PK a')),
    ).toThrow(/topic orders partition 2 offset 17: field 'a': a PK must resolve to a primitive field/);
  });

  it('a missing PK is a record error listing the fields there are', () => {
    expect(() => toOperation(record({ a: 1 }), route('INSERT INTO i SELECT * FROM orders PK b'))).toThrow(
      DataException,
    );
  });
});

describe('UPSERT → update with doc_as_upsert', () => {
  it('the Stream Reactor example PK nested.id, from a Struct, with Connect types kept', () => {
    const op = toOperation(
      record(orderStruct(), { valueSchema: orderStruct().schema }),
      route('UPSERT INTO index SELECT nested.id, id, qty, ratio, price, at FROM orders PK nested.id'),
    );
    expect(op!.kind).toBe('update');
    const [action, source] = op!.body.trimEnd().split('\n');
    expect(JSON.parse(action!)).toEqual({ update: { _index: 'index', _id: 'n-7', retry_on_conflict: 3 } });
    // Exact digits: INT64 beyond 2^53, the decimal as written, a FLOAT64 3 as 3.0.
    expect(source).toBe(
      '{"doc":{"id":"n-7","id_1":"o-1","qty":9007199254740993,"ratio":3.0,"price":19.99,"at":"2024-03-04T05:06:07.089Z"},"doc_as_upsert":true}',
    );
  });

  it('is refused without PK', () => {
    expect(() => route('UPSERT INTO i SELECT * FROM orders')).toThrow(/you need to set primary keys/);
  });

  it('is refused with WITHPIPELINE (the update action runs none)', () => {
    expect(() => route('UPSERT INTO i SELECT * FROM orders PK a WITHPIPELINE = p')).toThrow(ConfigException);
  });
});

describe('SELECT * (the document is the whole value, serialized in one walk)', () => {
  // The same value through `SELECT *` and through a selection of every top-level field (the
  // projection): the same document text.
  const source = (op: ElasticOperation | null) => op!.body.split('\n')[1];
  const both = (value: unknown, fields: string, extra: Parameters<typeof record>[1] = {}) => [
    source(toOperation(record(value, extra), route('INSERT INTO i SELECT * FROM orders'))),
    source(toOperation(record(value, extra), route(`INSERT INTO i SELECT ${fields} FROM orders`))),
  ];

  it('a schemaless value (JsonConverter: Maps, INT64 as bigint, fractions as numbers)', () => {
    const value = new Map<string, unknown>([
      ['id', 12n],
      ['name', 'a "quoted" \u00e9 name'],
      [
        'reading',
        new Map<string, unknown>([
          ['t', 20.5],
          ['ok', true],
          ['none', null],
          ['empty', new Map()],
        ]),
      ],
      ['tags', ['x', 3n, 1.25, new Map([['k', 'v']])]],
      ['pairs', new Map<unknown, unknown>([[1n, 'one']])],
      ['raw', Buffer.from('hi')],
      ['at', new Date('2024-03-04T05:06:07.089Z')],
    ]);
    const [whole, selected] = both(value, 'id, name, reading, tags, pairs, raw, at');
    expect(whole).toBe(selected);
    expect(whole).toBe(
      '{"id":12,"name":"a \\"quoted\\" é name","reading":{"t":20.5,"ok":true,"none":null,"empty":{}},' +
        '"tags":["x",3,1.25,{"k":"v"}],"pairs":[[1,"one"]],"raw":"aGk=","at":"2024-03-04T05:06:07.089Z"}',
    );
  });

  it('a Struct, each field by its schema', () => {
    const [whole, selected] = both(
      orderStruct(),
      'id, qty, price, ratio, at, day, time, raw, ok, nested, tags, note',
      { valueSchema: orderStruct().schema },
    );
    expect(whole).toBe(selected);
  });

  it('JSON text (StringConverter)', () => {
    const [whole, selected] = both('{"b":{"c":[1,2.5]},"a":"x"}', 'b, a', { valueSchema: null });
    expect(whole).toBe(selected);
    expect(whole).toBe('{"b":{"c":[1,2.5]},"a":"x"}');
  });

  it('a map with other keys than strings is no document: the projection decides, as before', () => {
    const value = new Map<unknown, unknown>([[1n, 'one']]);
    const op = toOperation(record(value), route('INSERT INTO i SELECT * FROM orders'));
    expect(source(op)).toBe(
      documentJson(
        projectRecord(record(value), kcql('INSERT INTO i SELECT * FROM orders'), {
          missingFields: 'omit',
          valueHooks: esJsonHooks,
        }),
      ),
    );
  });
});

describe('Struct values', () => {
  it('every Connect type in its Elasticsearch form', () => {
    const op = toOperation(
      record(orderStruct(), { valueSchema: orderStruct().schema }),
      route('INSERT INTO i SELECT * FROM orders'),
    );
    expect(op!.body.split('\n')[1]).toBe(
      '{"id":"o-1","qty":9007199254740993,"price":19.99,"ratio":3.0,"at":"2024-03-04T05:06:07.089Z","day":"2024-03-04",' +
        '"time":"05:06:07.089","raw":"AQID","ok":true,"nested":{"id":"n-7","level":2},"tags":["a","b"],"note":null}',
    );
  });

  it('AUTOCREATE maps the schema of the first record: dates, long, double for decimals, binary, text with a keyword', () => {
    const op = toOperation(
      record(orderStruct(), { valueSchema: orderStruct().schema }),
      route('INSERT INTO i SELECT * FROM orders AUTOCREATE'),
    );
    expect(op!.kind === 'index' && op!.mapping?.()).toEqual({
      id: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      qty: { type: 'long' },
      price: { type: 'double' },
      ratio: { type: 'double' },
      at: { type: 'date' },
      day: { type: 'date' },
      time: { type: 'date', format: 'strict_hour_minute_second_fraction' },
      raw: { type: 'binary' },
      ok: { type: 'boolean' },
      nested: {
        properties: {
          id: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
          level: { type: 'integer' },
        },
      },
      tags: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      // `note` is null in this record: the kit's null hook has no schema, so dynamic mapping decides later.
    });
  });

  it('AUTOCREATE with a dynamic index is refused', () => {
    expect(() => route('INSERT INTO _key SELECT * FROM orders AUTOCREATE')).toThrow(
      /AUTOCREATE can not be used/,
    );
  });
});

describe('index names', () => {
  it('from a header, a key path and a quoted dotted value path', () => {
    const r = record(
      { customer: { 'first.name': 'Ann' }, 'customer.name': { 'first.name': 'Bob' } },
      { key: JSON.stringify({ region: 'EU' }), headers: [{ key: 'gate', schema: null, value: 'Gate-7' }] },
    );
    expect(
      (toOperation(r, route('INSERT INTO _header.gate SELECT * FROM orders')) as { index: string }).index,
    ).toBe('gate-7');
    expect(
      (toOperation(r, route('INSERT INTO _key.region SELECT * FROM orders')) as { index: string }).index,
    ).toBe('eu');
    expect(
      (
        toOperation(r, route("INSERT INTO `_value.'customer.name'.'first.name'` SELECT * FROM orders")) as {
          index: string;
        }
      ).index,
    ).toBe('bob');
  });

  it('a record without the header is a record error', () => {
    expect(() =>
      toOperation(record({ a: 1 }), route('INSERT INTO _header.gate SELECT * FROM orders')),
    ).toThrow(/no header 'gate'/);
  });

  it('WITHINDEXSUFFIX formats the UTC date', () => {
    const op = toOperation(
      record({ a: 1 }),
      route('INSERT INTO index_name SELECT * FROM orders WITHINDEXSUFFIX=_suffix_{YYYY-MM-dd}'),
      {
        now: new Date('2024-12-30T23:59:59Z'),
      },
    );
    expect((op as { index: string }).index).toBe('index_name_suffix_2024-12-30');
  });
});

describe('tombstones', () => {
  const tomb = (extra = {}) => record(null, { key: JSON.stringify({ id: 'a1' }), ...extra });

  it('are ignored by default', () => {
    expect(toOperation(tomb(), route('INSERT INTO i SELECT * FROM orders PK id'))).toBeNull();
  });

  it("DELETE removes the document whose id the key's PK paths give (the reference used topic-partition-offset)", () => {
    const op = toOperation(
      tomb(),
      route("INSERT INTO i SELECT * FROM orders PK id PROPERTIES('behavior.on.null.values'='DELETE')"),
    );
    expect(lines(op)).toEqual([{ delete: { _index: 'i', _id: 'a1' } }]);
  });

  it('DELETE without PK deletes by the record key', () => {
    const op = toOperation(
      record(null, { key: 'k-9' }),
      route("INSERT INTO SHARD SELECT * FROM SOURCE PROPERTIES('behavior.on.null.values'='DELETE')"),
    );
    expect(lines(op)).toEqual([{ delete: { _index: 'shard', _id: 'k-9' } }]);
  });

  it('FAIL is a record error', () => {
    expect(() =>
      toOperation(
        tomb(),
        route("INSERT INTO i SELECT * FROM orders PROPERTIES('behavior.on.null.values'='FAIL')"),
      ),
    ).toThrow(/configured to fail on tombstone records/);
  });

  it('DELETE cannot name the index from a null value', () => {
    expect(() =>
      toOperation(
        tomb(),
        route(
          "INSERT INTO _value.region SELECT * FROM orders PK id PROPERTIES('behavior.on.null.values'='DELETE')",
        ),
      ),
    ).toThrow(/index named by a value field/);
  });

  it('a header PK cannot walk into the header', () => {
    expect(() => route('INSERT INTO i SELECT * FROM orders PK _header.h.x')).toThrow(ConfigException);
  });

  it('an unknown behaviour is refused at validate', () => {
    expect(() =>
      route("INSERT INTO i SELECT * FROM orders PROPERTIES('behavior.on.null.values'='drop')"),
    ).toThrow(/use IGNORE, DELETE or FAIL/);
  });
});
