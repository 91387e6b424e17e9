import {
  ConnectDecimal,
  ConfigException,
  DataException,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  Timestamp,
} from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { lines, pointContext, record, route } from './records.js';

// Record → line protocol, for each input shape (spec §3.3 and issue 19). Times: sys_time() points of
// the fixed clock are 2024-01-01T00:00:00Z in ns plus one ns per reading of the clock.

const NOW_NS = 1704067200000000001n;

const innerSchema = SchemaBuilder.struct().field('lat', Schema.FLOAT64_SCHEMA).build();
const readingSchema = SchemaBuilder.struct()
  .field('sensor', Schema.STRING_SCHEMA)
  .field('count', Schema.INT32_SCHEMA)
  .field('big', Schema.INT64_SCHEMA)
  .field('temp', Schema.FLOAT64_SCHEMA)
  .field('ok', Schema.BOOLEAN_SCHEMA)
  .field('price', Decimal.schema(2))
  .field('at', Timestamp.schema())
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .field('series', SchemaBuilder.array(Schema.FLOAT64_SCHEMA).build())
  .field('location', innerSchema)
  .build();

function reading(): Struct {
  return new Struct(readingSchema)
    .put('sensor', 's 1')
    .put('count', 3)
    .put('big', 9007199254740993n)
    .put('temp', 3)
    .put('ok', true)
    .put('price', new ConnectDecimal(1999n, 2))
    .put('at', new Date('2024-03-04T05:06:07.089Z'))
    .put('note', null)
    .put('series', [1.5, 2])
    .put('location', new Struct(innerSchema).put('lat', 51.5));
}

describe('fields', () => {
  it('Struct: integers get the i suffix, a FLOAT64 holding 3 stays a float, decimals are floats, timestamps epoch ms, arrays flattened, nulls left out', () => {
    expect(
      lines(
        record(reading(), { valueSchema: readingSchema }),
        'INSERT INTO m SELECT sensor, count, big, temp, ok, price, at, note, series, location.lat FROM sensors',
      ),
    ).toEqual([
      `m sensor="s 1",count=3i,big=9007199254740993i,temp=3,ok=true,price=19.99,at=1709528767089i,series0=1.5,series1=2,lat=51.5 ${NOW_NS}`,
    ]);
  });

  it('SELECT * on a Struct refuses the nested Struct, naming the field', () => {
    expect(() =>
      lines(record(reading(), { valueSchema: readingSchema }), 'INSERT INTO m SELECT * FROM sensors'),
    ).toThrow(/field 'location': a nested Struct\/Map\/object cannot be an InfluxDB field/);
    expect(
      lines(
        record(reading(), { valueSchema: readingSchema }),
        'INSERT INTO m SELECT * FROM sensors IGNORE location, series, price, at',
      ),
    ).toEqual([`m sensor="s 1",count=3i,big=9007199254740993i,temp=3,ok=true ${NOW_NS}`]);
  });

  it('schemaless Map (JsonConverter): bigints are integers, numbers are floats', () => {
    const value = new Map<string, unknown>([
      ['n', 5n],
      ['x', 2.5],
      ['y', 4],
      ['s', 'a"b'],
    ]);
    expect(lines(record(value), 'INSERT INTO m SELECT * FROM sensors')).toEqual([
      `m n=5i,x=2.5,y=4,s="a\\"b" ${NOW_NS}`,
    ]);
  });

  it('JSON text: integral numbers are integers (as Jackson reads them), others floats', () => {
    const value = JSON.stringify({ n: 5, x: 2.5, flag: false, s: 'v' });
    expect(
      lines(record(value, { valueSchema: Schema.STRING_SCHEMA }), 'INSERT INTO m SELECT * FROM sensors'),
    ).toEqual([`m n=5i,x=2.5,flag=false,s="v" ${NOW_NS}`]);
  });

  it('schemaless.numbers=FLOAT: every number without a schema is a float; Struct fields keep their schema', () => {
    const ctx = { ...pointContext(), schemalessFloats: true };
    expect(
      lines(
        record(
          new Map<string, unknown>([
            ['n', 5n],
            ['x', 2],
          ]),
        ),
        'INSERT INTO m SELECT * FROM sensors',
        ctx,
      ),
    ).toEqual([`m n=5,x=2 ${NOW_NS}`]);
    expect(
      lines(record('{"n": 5, "big": 12345678901234567890}'), 'INSERT INTO m SELECT n FROM sensors', ctx),
    ).toEqual([`m n=5 ${NOW_NS + 1n}`]);
    expect(
      lines(
        record(reading(), { valueSchema: readingSchema }),
        'INSERT INTO m SELECT count FROM sensors',
        ctx,
      ),
    ).toEqual([`m count=3i ${NOW_NS + 2n}`]);
  });

  it('`*, a AS b` renames a; IGNORE removes; an explicit selection keeps only what it names', () => {
    const value = { name: 'n1', age: 30, eyeColor: 'blue', email: 'e@x' };
    expect(lines(record(value), 'INSERT INTO m SELECT *, name AS renamed FROM sensors IGNORE email')).toEqual(
      [`m age=30i,eyeColor="blue",renamed="n1" ${NOW_NS}`],
    );
    expect(
      lines(
        record(value),
        'INSERT INTO m SELECT _id, name AS this_is_renamed, email FROM sensors IGNORE _id',
      ),
    ).toEqual([`m this_is_renamed="n1",email="e@x" ${NOW_NS}`]);
  });

  it('a selected field the record does not have is a data error naming it', () => {
    const run = () => lines(record({ a: 1 }), 'INSERT INTO m SELECT a, b FROM sensors');
    expect(run).toThrow(DataException);
    expect(run).toThrow(/topic sensors partition 0 offset 17: field 'b'/);
  });

  it('bytes, nested objects under *, NaN and a point without fields are data errors', () => {
    expect(() =>
      lines(record(new Map([['raw', Buffer.from([1])]])), 'INSERT INTO m SELECT * FROM sensors'),
    ).toThrow(/field 'raw': bytes cannot be an InfluxDB field/);
    expect(() => lines(record({ a: { b: 1 } }), 'INSERT INTO m SELECT * FROM sensors')).toThrow(
      /field 'a': a nested/,
    );
    expect(() => lines(record(new Map([['x', Number.NaN]])), 'INSERT INTO m SELECT * FROM sensors')).toThrow(
      /NaN/,
    );
    expect(() => lines(record({ a: null }), 'INSERT INTO m SELECT * FROM sensors')).toThrow(
      /no field values/,
    );
  });

  it('a tombstone is a data error', () => {
    expect(() => lines(record(null), 'INSERT INTO m SELECT * FROM sensors')).toThrow(/tombstone/);
  });
});

describe('keys', () => {
  it('_key.* and _key.f AS alias read a JSON key; a field of the same name in key and value resolves to each', () => {
    const r = record(
      { _id: 'v', index: 1 },
      { key: JSON.stringify({ _id: 'k', index: 7 }), keySchema: Schema.STRING_SCHEMA },
    );
    expect(lines(r, 'INSERT INTO m SELECT _key.*, _key.index AS renamed FROM sensors')).toEqual([
      `m _id="k",index=7i,renamed=7i ${NOW_NS}`,
    ]);
    expect(lines(r, 'INSERT INTO m SELECT _key._id, index FROM sensors')).toEqual([
      `m index=1i,_id="k" ${NOW_NS}`,
    ]);
    expect(lines(r, 'INSERT INTO m SELECT _key.* FROM sensors IGNORE _key.index')).toEqual([
      `m _id="k" ${NOW_NS}`,
    ]);
  });

  it('a plain (non-JSON) string key is fine unless _key fields are selected', () => {
    const r = record({ a: 1 }, { key: 'plain', keySchema: Schema.STRING_SCHEMA });
    expect(lines(r, 'INSERT INTO m SELECT * FROM sensors')).toEqual([`m a=1i ${NOW_NS}`]);
    expect(() => lines(r, 'INSERT INTO m SELECT _key.* FROM sensors')).toThrow(
      /_key\.\* needs a Struct, Map or JSON object key/,
    );
  });
});

describe('tags and measurement', () => {
  it('WITHTAG: field, nested field, alias and constant; escaping of measurement, tag keys, tag values and field keys', () => {
    const value = { 'field key,=': 1, host: 'a,b=c d', loc: { city: 'Oslo' }, age: 3, m: 'my m,x' };
    expect(
      lines(
        record(value),
        'INSERT INTO m SELECT * FROM sensors IGNORE host, loc, age, m WITHTARGET = m WITHTAG (host, loc.city, age AS AgeTag, provider=DataMountaineer)',
      ),
    ).toEqual([
      `my\\ m\\,x,AgeTag=3,host=a\\,b\\=c\\ d,loc.city=Oslo,provider=DataMountaineer field\\ key\\,\\==1i ${NOW_NS}`,
    ]);
  });

  it('a tag field missing from the record is skipped and reported (the caller logs it once)', () => {
    const missing: string[] = [];
    const ctx = pointContext(missing);
    expect(lines(record({ a: 1 }), 'INSERT INTO m SELECT * FROM sensors WITHTAG (nope, c=1)', ctx)).toEqual([
      `m,c=1 a=1i ${NOW_NS}`,
    ]);
    expect(missing).toEqual([
      `records without a value for the tag field 'nope' are written without that tag`,
    ]);
  });

  it('a field can be a tag and (when IGNOREd) not a field', () => {
    expect(
      lines(
        record({ ptype: 'p', pid: 2, v: 1.5 }),
        'INSERT INTO m SELECT * FROM sensors IGNORE ptype, pid WITHTAG (ptype, pid)',
      ),
    ).toEqual([`m,pid=2,ptype=p v=1.5 ${NOW_NS}`]);
  });

  it('a field named time is left out with a warning: InfluxDB refuses it', () => {
    const warnings: string[] = [];
    expect(
      lines(
        record({ time: 5, v: 1 }),
        'INSERT INTO m SELECT * FROM sensors WITHTIMESTAMP time',
        pointContext(warnings),
      ),
    ).toEqual(['m v=1i 5']);
    expect(warnings).toEqual([expect.stringMatching(/InfluxDB cannot store a field named 'time'/)]);
  });

  it('WITHTARGET takes the measurement from a field, falling back to the target', () => {
    expect(
      lines(record({ company: 'acme', v: 1 }), 'INSERT INTO m SELECT v FROM sensors WITHTARGET = company'),
    ).toEqual([`acme v=1i ${NOW_NS}`]);
    expect(lines(record({ v: 1 }), 'INSERT INTO m SELECT v FROM sensors WITHTARGET = company')).toEqual([
      `m v=1i ${NOW_NS}`,
    ]);
  });
});

describe('timestamps', () => {
  const at = (value: unknown, unit: string) =>
    lines(
      record({ v: 1, t: value }),
      `INSERT INTO m SELECT v FROM sensors WITHTIMESTAMP t TIMESTAMPUNIT = ${unit}`,
    )[0]!.split(' ')[2];

  it('an integer is already in the TIMESTAMPUNIT', () => {
    expect(at(1700000000123, 'MILLISECONDS')).toBe('1700000000123');
    expect(at('1700000000', 'SECONDS')).toBe('1700000000');
  });

  it('ISO-8601 text is converted exactly to the unit (ns, µs, ms, s)', () => {
    const iso = '2024-01-02T03:04:05.123456789+01:00';
    expect(at(iso, 'NANOSECONDS')).toBe('1704161045123456789');
    expect(at(iso, 'MICROSECONDS')).toBe('1704161045123456');
    expect(at(iso, 'MILLISECONDS')).toBe('1704161045123');
    expect(at(iso, 'SECONDS')).toBe('1704161045');
  });

  it('a fractional number is Unix seconds; a Connect Timestamp is converted from ms', () => {
    expect(at(1700000000.25, 'MICROSECONDS')).toBe('1700000000250000');
    const schema = SchemaBuilder.struct()
      .field('v', Schema.INT32_SCHEMA)
      .field('t', Timestamp.schema())
      .build();
    const value = new Struct(schema).put('v', 1).put('t', new Date(1700000000123));
    expect(
      lines(
        record(value, { valueSchema: schema }),
        'INSERT INTO m SELECT v FROM sensors WITHTIMESTAMP t TIMESTAMPUNIT = NANOSECONDS',
      ),
    ).toEqual(['m v=1i 1700000000123000000']);
  });

  it('sys_time() (or no WITHTIMESTAMP) is now in nanoseconds, as Stream Reactor wrote it; two points never share a nanosecond', () => {
    const ctx = pointContext();
    const a = lines(record({ v: 1 }), 'INSERT INTO m SELECT v FROM sensors WITHTIMESTAMP sys_time()', ctx);
    const b = lines(
      record({ v: 1 }),
      'INSERT INTO m SELECT v FROM sensors WITHTIMESTAMP sys_time() TIMESTAMPUNIT = SECONDS',
      ctx,
    );
    expect(a).toEqual([`m v=1i ${NOW_NS}`]);
    expect(b).toEqual([`m v=1i ${NOW_NS + 1n}`]);
  });

  it('a missing or unreadable timestamp is a data error naming the field', () => {
    expect(() => at('yesterday', 'MILLISECONDS')).toThrow(/field 't': "yesterday" is not a timestamp/);
    expect(() => lines(record({ v: 1 }), 'INSERT INTO m SELECT v FROM sensors WITHTIMESTAMP t')).toThrow(
      /field 't': the WITHTIMESTAMP field has no value/,
    );
  });
});

describe('explode', () => {
  it("PROPERTIES('explode'='readings'): one point per element, with the record's tags and each element's fields and time", () => {
    const value = {
      device: 'd1',
      readings: [
        { t: '2024-01-01T00:00:00Z', temp: 20.5, kind: 'a' },
        { t: '2024-01-01T00:00:01Z', temp: 21, kind: 'b' },
      ],
    };
    expect(
      lines(
        record(value),
        "INSERT INTO m SELECT * FROM sensors IGNORE t, kind WITHTIMESTAMP t TIMESTAMPUNIT = SECONDS WITHTAG (device, kind) PROPERTIES('explode'='readings')",
      ),
    ).toEqual(['m,device=d1,kind=a temp=20.5 1704067200', 'm,device=d1,kind=b temp=21i 1704067201']);
  });

  it('explode of a missing or non-array field is a data error', () => {
    expect(() =>
      lines(record({ a: 1 }), "INSERT INTO m SELECT * FROM sensors PROPERTIES('explode'='rows')"),
    ).toThrow(/field 'rows'/);
    expect(() =>
      lines(record({ rows: [1] }), "INSERT INTO m SELECT * FROM sensors PROPERTIES('explode'='rows')"),
    ).toThrow(/element 0/);
  });
});

describe('compileRoute', () => {
  it('refuses what the sink cannot honour, naming the statement', () => {
    expect(() => route('INSERT INTO m SELECT * FROM t TIMESTAMPUNIT = HOURS')).toThrow(ConfigException);
    expect(() => route('INSERT INTO m SELECT * FROM t TIMESTAMPUNIT = HOURS')).toThrow(
      /FROM t INTO m: TIMESTAMPUNIT = HOURS/,
    );
    expect(() => route("INSERT INTO m SELECT * FROM t PROPERTIES('flatten'='yes')")).toThrow(
      /'flatten' unknown/,
    );
    expect(() => route('UPSERT INTO m SELECT * FROM t PK a')).toThrow(/only writes with INSERT/);
  });
});
