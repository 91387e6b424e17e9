import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { classifyRethinkError, sameDocument } from '../src/store.js';
import r from 'rethinkdb';

// The driver's error classes exist at run time but are missing from @types/rethinkdb.
const ReqlErrors = (r as unknown as { Error: Record<string, new (message: string) => Error> }).Error;

const base = {
  'connector.class': 'ReThinkSinkConnector',
  topics: 'rethink_topic',
  'connect.rethink.kcql': 'INSERT INTO rethink_table SELECT * FROM rethink_topic BATCH = 100',
};

describe('the RethinkDB sink plugin', () => {
  it('answers to Stream Reactor class names and has its keys with their defaults', () => {
    expect(plugin.aliases).toContain(
      'com.datamountaineer.streamreactor.connect.rethink.sink.ReThinkSinkConnector',
    );
    const { settings } = plugin.compileConfig(base);
    expect(settings).toMatchObject({
      host: 'localhost',
      port: 28015,
      database: 'connect_rethink_sink',
      durability: 'hard',
      deleteOnNull: false,
    });
  });

  it("accepts Stream Reactor's doubled connect.rethink.rethink.* key names", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rethink-'));
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const { settings } = plugin.compileConfig({
      ...base,
      'connect.rethink.rethink.username': 'bob',
      'connect.rethink.rethink.cert.file': ca,
    });
    expect(settings.user).toBe('bob');
    expect(settings.ca).toMatch(/BEGIN CERTIFICATE/);
  });

  it('reports cross-key errors at validate on the key at fault', () => {
    expect(
      plugin.validate({ ...base, 'connect.rethink.auth.key': 'k', 'connect.rethink.username': 'bob' }),
    ).toEqual({ 'connect.rethink.auth.key': [expect.stringMatching(/cannot be combined/)] });
    expect(plugin.validate({ ...base, 'connect.rethink.cert.file': '/nonexistent/ca.pem' })).toEqual({
      'connect.rethink.cert.file': [expect.stringMatching(/cannot read \/nonexistent\/ca.pem/)],
    });
    expect(
      plugin.validate({
        ...base,
        'connect.rethink.kcql': "INSERT INTO t SELECT * FROM rethink_topic PROPERTIES('conflict'='update')",
      }),
    ).toEqual({ 'connect.rethink.kcql': [expect.stringMatching(/INSERT always refuses/)] });
  });

  it('refuses clauses it cannot honour, naming them', () => {
    const errors = plugin.validate({
      ...base,
      'connect.rethink.kcql': 'INSERT INTO t SELECT * FROM rethink_topic TTL = 5',
    });
    expect(errors['connect.rethink.kcql']?.[0]).toMatch(/TTL/);
  });

  it('a valid Stream Reactor config validates clean', () => {
    expect(plugin.validate(base)).toEqual({});
    expect(
      plugin.validate({
        ...base,
        'connect.rethink.kcql':
          'UPSERT INTO rethink_table SELECT string_id, int_field FROM rethink_topic AUTOCREATE BATCH = 100',
      }),
    ).toEqual({});
  });
});

describe('classifyRethinkError', () => {
  it('auth and permissions are fatal, connection trouble transient, refused data the record’s', () => {
    expect(classifyRethinkError(new ReqlErrors.ReqlAuthError('Wrong password'))).toBe('fatal');
    expect(classifyRethinkError(new ReqlErrors.ReqlDriverError('Connection is closed.'))).toBe('transient');
    expect(classifyRethinkError(new ReqlErrors.ReqlAvailabilityError('Cannot perform write'))).toBe(
      'transient',
    );
    expect(classifyRethinkError(new ReqlErrors.ReqlQueryLogicError('Expected type OBJECT'))).toBe('data');
    expect(
      classifyRethinkError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe('transient');
    expect(classifyRethinkError(new Error('something else'))).toBeUndefined();
  });
});

describe('sameDocument', () => {
  it('compares what RethinkDB gives back (Date, Buffer, nested) with what was written', () => {
    const doc = { id: 'a', at: new Date(5), raw: Buffer.from([1]), n: { x: [1, 2] } };
    expect(sameDocument({ id: 'a', at: new Date(5), raw: Buffer.from([1]), n: { x: [1, 2] } }, doc)).toBe(
      true,
    );
    expect(sameDocument({ ...doc, at: new Date(6) }, doc)).toBe(false);
    expect(sameDocument({ ...doc, raw: Buffer.from([2]) }, doc)).toBe(false);
    expect(sameDocument({ ...doc, extra: 1 }, doc)).toBe(false);
    expect(sameDocument({ ...doc, n: { x: [1] } }, doc)).toBe(false);
  });
});
