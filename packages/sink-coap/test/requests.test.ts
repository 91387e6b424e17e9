import {
  DataException,
  Schema,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  LogicalDate,
  type SinkRecord,
} from '@sluice/core/sink';
import { header, jsonTextRecord, mapRecord, structRecord, tombstone } from '@sluice/test-utils';
import { describe, expect, it } from 'vitest';
import type { CoapMethod } from '../src/config.js';
import { toRequest, type CoapRequest } from '../src/requests.js';
import { readingStruct, route } from './records.js';

function request(kcqlText: string, record: SinkRecord, method: CoapMethod = 'PUT'): CoapRequest {
  return toRequest(record, route(kcqlText), { method }, 'coap-test');
}

const json = (r: CoapRequest) => JSON.parse(r.payload!.toString('utf8')) as Record<string, unknown>;

describe('record → CoAP request', () => {
  it('sends the JSON of a Struct to the static resource, keeping INT64 and decimals exact', () => {
    const r = request('INSERT INTO sensors/t1 SELECT * FROM readings', structRecord(readingStruct()));
    expect(r.method).toBe('PUT');
    expect(r.resource).toEqual(['sensors', 't1']);
    const text = r.payload!.toString('utf8');
    expect(text).toContain('"count":9007199254740993');
    expect(text).toContain('"price":19.99');
    expect(json(r)).toMatchObject({ device: { id: 'd-1' }, temp: 21.5, raw: 'AQID', note: null });
  });

  it('projects, renames and ignores fields for Struct, Map and JSON text alike', () => {
    const value = { device: { id: 'd-2' }, temp: 20, extra: 'x' };
    for (const record of [mapRecord(value), jsonTextRecord(value)]) {
      expect(json(request('INSERT INTO r SELECT device.id AS id, temp FROM readings', record))).toEqual({
        id: 'd-2',
        temp: 20,
      });
      expect(json(request('INSERT INTO r SELECT * FROM readings IGNORE extra', record))).toEqual({
        device: { id: 'd-2' },
        temp: 20,
      });
    }
    expect(
      json(request('INSERT INTO r SELECT device.id AS id FROM readings', structRecord(readingStruct()))),
    ).toEqual({
      id: 'd-1',
    });
  });

  it('uses POST when configured', () => {
    expect(request('INSERT INTO r SELECT * FROM readings', mapRecord({ a: 1 }), 'POST').method).toBe('POST');
  });

  it('takes dynamic resources from the key, a value field or a header', () => {
    expect(
      request('INSERT INTO _key SELECT * FROM readings', mapRecord({ a: 1 }, { key: 'rooms/kitchen' }))
        .resource,
    ).toEqual(['rooms', 'kitchen']);
    expect(
      request('INSERT INTO _key SELECT * FROM readings', mapRecord({ a: 1 }, { key: 42 })).resource,
    ).toEqual(['42']);
    expect(
      request('INSERT INTO _value.device.id SELECT * FROM readings', structRecord(readingStruct('d-9')))
        .resource,
    ).toEqual(['d-9']);
    expect(
      request('INSERT INTO _value.device.id SELECT * FROM readings', mapRecord({ device: { id: 'm-1' } }))
        .resource,
    ).toEqual(['m-1']);
    expect(
      request(
        'INSERT INTO _header.dest SELECT * FROM readings',
        mapRecord({ a: 1 }, { headers: [header('dest', 'a/b')] }),
      ).resource,
    ).toEqual(['a', 'b']);
  });

  it('refuses a record without a usable dynamic resource, naming the record and field', () => {
    const missing = () =>
      request(
        'INSERT INTO _value.device.id SELECT * FROM readings',
        mapRecord({ a: 1 }, { topic: 'readings', offset: 5 }),
      );
    expect(missing).toThrow(DataException);
    expect(missing).toThrow(
      /Connector coap-test: record at topic readings partition 0 offset 5: field 'device.id': field 'device.id' is null or missing/,
    );
    expect(() =>
      request('INSERT INTO _key SELECT * FROM readings', mapRecord({ a: 1 }, { key: 'a//b' })),
    ).toThrow(/'a\/\/b' is not a CoAP resource path: it has an empty segment/);
    expect(() =>
      request('INSERT INTO _key SELECT * FROM readings', mapRecord({ a: 1 }, { key: 'x'.repeat(256) })),
    ).toThrow(/longer than 255 bytes/);
    expect(() => request('INSERT INTO _header.dest SELECT * FROM readings', mapRecord({ a: 1 }))).toThrow(
      /no header 'dest'/,
    );
    expect(() =>
      request('INSERT INTO _key SELECT * FROM readings', mapRecord({ a: 1 }, { key: new Map([['a', 1]]) })),
    ).toThrow(/a CoAP resource path needs a string/);
  });

  it('refuses records that are not JSON objects', () => {
    expect(() => request('INSERT INTO r SELECT * FROM readings', jsonTextRecord('not an object'))).toThrow(
      DataException,
    );
  });

  it('turns a tombstone (behavior.on.null.values=DELETE) into a DELETE of its resource', () => {
    expect(
      toRequest(tombstone('k-1'), route('INSERT INTO _key SELECT * FROM readings'), { method: 'PUT' }, 'c'),
    ).toEqual({
      method: 'DELETE',
      resource: ['k-1'],
    });
    expect(() =>
      toRequest(
        tombstone('k'),
        route('INSERT INTO _value.id SELECT * FROM readings'),
        { method: 'PUT' },
        'c',
      ),
    ).toThrow(/cannot delete a resource named by a value field/);
  });

  it('writes Timestamp as epoch milliseconds, Date and Time as ISO-8601 text, as the reference', () => {
    const schema = SchemaBuilder.struct()
      .field('at', Timestamp.schema())
      .field('day', LogicalDate.schema())
      .field('tod', Time.schema())
      .field('f', Schema.FLOAT64_SCHEMA)
      .build();
    const value = new Struct(schema)
      .put('at', new Date('2024-03-04T05:06:07.089Z'))
      .put('day', new Date('2024-03-04T00:00:00.000Z'))
      .put('tod', new Date(Date.UTC(1970, 0, 1, 5, 6, 7, 89)))
      .put('f', 3);
    expect(json(request('INSERT INTO r SELECT * FROM readings', structRecord(value)))).toEqual({
      at: Date.UTC(2024, 2, 4, 5, 6, 7, 89),
      day: '2024-03-04T00:00:00.000Z',
      tod: '05:06:07.089Z',
      f: 3,
    });
  });
});
