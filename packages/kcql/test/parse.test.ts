// Focused checks of clauses whose reference behaviour is easy to get wrong (spec/kcql.md §4–§5, §7).
import { describe, expect, it } from 'vitest';
import { defaultKcql, nonDefaultProperties, parseKcql, type Field } from '../src/index.js';
import { splitLikeJava } from '../src/list.js';

const field = (name: string, extra: Partial<Field> = {}): Field => ({
  name,
  alias: name,
  type: 'VALUE',
  parents: null,
  ...extra,
});

describe('select list', () => {
  it('builds nested, aliased and wildcard fields', () => {
    const kcql = parseKcql('INSERT INTO t SELECT a, b.c AS bc, d.e.*, x . y FROM s');
    expect(kcql.fields).toEqual([
      field('a'),
      field('c', { alias: 'bc', parents: ['b'] }),
      field('*', { parents: ['d', 'e'] }),
      field('y', { parents: ['x'] }),
    ]);
  });

  it('keeps a quoted alias raw, quotes included', () => {
    expect(parseKcql("INSERT INTO t SELECT f AS 'my alias' FROM s").fields).toEqual([
      field('f', { alias: "'my alias'" }),
    ]);
  });

  it('maps _. metadata and key paths', () => {
    const kcql = parseKcql('INSERT INTO t SELECT _.TOPIC AS tp, _.x.offset, _.key.a.b, _.KEY.* FROM s');
    expect(kcql.fields).toEqual([
      { name: 'topic', alias: 'tp', type: 'TOPIC', parents: null },
      { name: 'offset', alias: 'offset', type: 'OFFSET', parents: null },
      { name: 'b', alias: 'b', type: 'KEY', parents: ['a'] },
      { name: '*', alias: '*', type: 'KEY', parents: null },
    ]);
  });

  it('routes _key. and _header. paths, checking them against value fields selected earlier only', () => {
    const kcql = parseKcql('INSERT INTO t SELECT _key.k, _key.p.c, _header.h AS hh, k, _KEY.z FROM s');
    expect(kcql.keyFields).toEqual([field('k'), field('c', { parents: ['p'] })]);
    expect(kcql.headerFields).toEqual([field('h', { alias: 'hh' })]);
    expect(kcql.fields).toEqual([field('k'), field('z', { parents: ['_KEY'] })]);
  });

  it('allows duplicates the reference allows: nested, aliased apart, key twice', () => {
    expect(parseKcql('INSERT INTO t SELECT x.f, x.f, f AS a, g AS a FROM s').fields).toHaveLength(4);
    expect(parseKcql('INSERT INTO t SELECT _key.x, _key.x FROM s').keyFields).toHaveLength(2);
  });

  it('adds IGNORE * to the selected fields, as the reference does', () => {
    const kcql = parseKcql('INSERT INTO t SELECT f FROM s IGNORE *, g, _.partition');
    expect(kcql.fields).toEqual([field('f'), field('*')]);
    expect(kcql.ignoredFields).toEqual([
      field('g'),
      { name: 'partition', alias: 'partition', type: 'PARTITION', parents: null },
    ]);
  });
});

describe('names', () => {
  it('unescapes back-ticks, then single quotes, only around the whole name', () => {
    expect(parseKcql('INSERT INTO `a.b` SELECT * FROM `x`.`y`').target).toBe('a.b');
    expect(parseKcql('INSERT INTO `a.b` SELECT * FROM `x`.`y`').source).toBe('x`.`y');
    expect(parseKcql('INSERT INTO `a.b`.c SELECT * FROM s').target).toBe('`a.b`.c');
    expect(parseKcql("INSERT INTO `'_value.'a.b'` SELECT * FROM 'my topic'")).toMatchObject({
      target: "_value.'a.b",
      source: 'my topic',
    });
  });

  it('accepts topic-name characters and leading, trailing or repeated dots', () => {
    expect(parseKcql('INSERT INTO index_{YYYY} SELECT * FROM -t+x/y:z').source).toBe('-t+x/y:z');
    expect(parseKcql('INSERT INTO .a..b. SELECT * FROM s').target).toBe('.a..b.');
  });

  it('treats mixed-case reserved words as identifiers', () => {
    expect(parseKcql('INSERT INTO Select SELECT Text FROM Json').source).toBe('Json');
  });
});

describe('clauses', () => {
  it('takes WITHTYPE before or after WITHFORMAT (both orders are in the JMS sink documentation), once', () => {
    for (const text of [
      'INSERT INTO orders SELECT * FROM orders WITHTYPE QUEUE WITHFORMAT JSON',
      'INSERT INTO orders SELECT * FROM orders WITHFORMAT JSON WITHTYPE QUEUE',
    ]) {
      expect(parseKcql(text)).toMatchObject({ withType: 'QUEUE', formatType: 'JSON' });
    }
    expect(() =>
      parseKcql('INSERT INTO o SELECT * FROM o WITHTYPE QUEUE WITHFORMAT JSON WITHTYPE TOPIC'),
    ).toThrow(/WITHTYPE is given twice/);
  });

  it('reads UPSERT PK x INTO as the reference does: no write mode, no key', () => {
    const kcql = parseKcql('upsert pk id into t select * from s');
    expect([kcql.writeMode, kcql.primaryKeys]).toEqual([null, []]);
  });

  it('keeps STOREAS, INCREMENTALMODE and WITHTARGET raw, unescapes WITHDOCTYPE', () => {
    const kcql = parseKcql(
      'INSERT INTO t SELECT * FROM s WITHTARGET = `a b` STOREAS `com.x.Y` (k = v-1, n = 10) (m = `q`) ' +
        'INCREMENTALMODE = `inc` WITHDOCTYPE = `doc.type`',
    );
    expect(kcql).toMatchObject({
      dynamicTarget: '`a b`',
      storedAs: '`com.x.Y`',
      storedAsParameters: { k: 'v-1', n: '10', m: '`q`' },
      incrementalMode: '`inc`',
      docType: 'doc.type',
    });
  });

  it('reads tags of the three kinds', () => {
    expect(
      parseKcql('INSERT INTO t SELECT * FROM s WITHTAG (h, r = eu-west-1, p.id AS id, .x, n = 5)').tags,
    ).toEqual([
      { key: 'h', value: null, type: 'DEFAULT' },
      { key: 'r', value: 'eu-west-1', type: 'CONSTANT' },
      { key: 'p.id', value: 'id', type: 'ALIAS' },
      { key: '.x', value: null, type: 'DEFAULT' },
      { key: 'n', value: '5', type: 'CONSTANT' },
    ]);
  });

  it('unquotes property keys and values; the last duplicate wins', () => {
    const kcql = parseKcql(
      "INSERT INTO t SELECT * FROM s PROPERTIES('a.b'='x y', n=-1, q=`'z'`, e='', a=1, a=2, __proto__=p)",
    );
    expect(kcql.properties).toEqual({ 'a.b': 'x y', n: '-1', q: 'z', e: '', a: '2', ['__proto__']: 'p' });
    expect(Object.getPrototypeOf(kcql.properties)).toBe(Object.prototype);
  });

  it('reads WITHKEY, KEYDELIMITER, WITHPIPELINE and the timestamp clauses', () => {
    const kcql = parseKcql(
      "INSERT INTO t SELECT * FROM s WITHTIMESTAMP SYS_TIME() TIMESTAMPUNIT = seconds WITHKEY(a, `b c`, 3) KEYDELIMITER = '|' WITHPIPELINE = p.q-r.1",
    );
    expect(kcql).toMatchObject({
      timestamp: 'sys_time()',
      timestampUnit: 'SECONDS',
      withKeys: ['a', 'b c', '3'],
      keyDelimiter: '|',
      pipeline: 'p.q-r.1',
    });
  });

  it('merges DISTRIBUTEBY and CLUSTERBY; only the last bucket count counts', () => {
    expect(
      parseKcql('INSERT INTO t SELECT * FROM s DISTRIBUTEBY a, b INTO 0 BUCKETS CLUSTERBY c INTO 8 BUCKETS')
        .bucketing,
    ).toEqual({
      bucketNames: ['a', 'b', 'c'],
      bucketsNumber: 8,
    });
  });

  it('reads the SELECT-only clauses', () => {
    const kcql = parseKcql(
      "SELECT * FROM s WITHFORMAT avro WITHGROUP 'my group' WITHOFFSET (0,100),(1) SAMPLE 3 EVERY 1000",
    );
    expect(kcql).toMatchObject({
      formatType: 'AVRO',
      consumerGroup: 'my group',
      partitionOffsets: [
        { partition: 0, offset: 100 },
        { partition: 1, offset: null },
      ],
      sampleCount: 3,
      sampleRate: 1000,
    });
  });

  it('accepts int64 values up to 2^63-1, checking the range on the exact digits', () => {
    // A JS number cannot hold 2^63-1 exactly: the nearest double is 2^63.
    expect(parseKcql('INSERT INTO t SELECT * FROM s TTL = 9223372036854775807').ttl).toBe(2 ** 63);
    expect(() => parseKcql('INSERT INTO t SELECT * FROM s TTL = 9223372036854775808')).toThrow(
      /not a valid number for a TTL/,
    );
  });
});

describe('result shape', () => {
  it('is plain JSON: a JSON round trip gives an equal object', () => {
    const kcql = parseKcql(
      "INSERT INTO t SELECT a.b AS c FROM s PK a STOREAS X (k = v) WITHTAG (x) PROPERTIES(p='10')",
    );
    expect(JSON.parse(JSON.stringify(kcql))).toEqual(kcql);
  });

  it('fills every default, and nonDefaultProperties lists only what the statement set', () => {
    expect(parseKcql('SELECT * FROM s')).toEqual({ ...defaultKcql(), source: 's', fields: [field('*')] });
    expect(nonDefaultProperties(parseKcql('INSERT INTO t SELECT * FROM s BATCH = 5'))).toEqual({
      source: 's',
      target: 't',
      writeMode: 'INSERT',
      fields: [field('*')],
      batchSize: 5,
    });
  });
});

describe('splitLikeJava', () => {
  const split = (value: string): string[] => splitLikeJava(value).map((p) => value.slice(p.from, p.to));
  it('follows Java String.split(";")', () => {
    expect(split('A;B;')).toEqual(['A', 'B']);
    expect(split('A;;')).toEqual(['A']);
    expect(split(';A')).toEqual(['', 'A']);
    expect(split('A;;B')).toEqual(['A', '', 'B']);
    expect(split(';')).toEqual([]);
    expect(split('')).toEqual(['']);
    expect(split('A; ')).toEqual(['A', ' ']);
  });
});
