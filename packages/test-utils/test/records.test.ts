import { Schema, projectRecord } from '@sluice/core';
import { parseKcql } from '@sluice/kcql';
import { describe, expect, it } from 'vitest';
import { jsonTextRecord, mapRecord, tombstone } from '../src/records.js';
import { toProperties } from '../src/standalone.js';

describe('record factories', () => {
  it('schemaless records hold Maps all the way down, JSON text records a STRING schema', () => {
    const map = mapRecord({ a: { b: 1 }, list: [{ c: 2 }] }, { topic: 't' });
    expect(map.value).toEqual(
      new Map<string, unknown>([
        ['a', new Map([['b', 1]])],
        ['list', [new Map([['c', 2]])]],
      ]),
    );
    expect(map.valueSchema).toBeNull();
    const text = jsonTextRecord({ a: 1 });
    expect(text.valueSchema).toBe(Schema.STRING_SCHEMA);
    expect(projectRecord(text, parseKcql('INSERT INTO x SELECT a AS b FROM topic'))).toEqual({ b: 1 });
    expect(tombstone('k')).toMatchObject({ key: 'k', value: null });
  });

  it('offsets count up unless given', () => {
    const a = mapRecord({});
    const b = mapRecord({});
    expect(b.kafkaOffset).toBe(a.kafkaOffset + 1);
    expect(mapRecord({}, { offset: 99 }).kafkaOffset).toBe(99);
  });
});

describe('toProperties', () => {
  it('escapes separators in keys and newlines in values', () => {
    expect(toProperties({ 'a.b': 'x=y', 'c d': 'l1\nl2' })).toBe('a.b=x=y\nc\\ d=l1\\nl2\n');
  });
});
