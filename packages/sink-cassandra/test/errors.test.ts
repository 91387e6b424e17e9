import cassandra from 'cassandra-driver';
import { DataException, FatalStoreException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { CqlConversionError } from '../src/cql-values.js';
import { classify } from '../src/errors.js';

const { errors } = cassandra;
const codes = cassandra.types.responseErrorCodes;
const response = (code: number, message = 'x') => new errors.ResponseError(code, message);

describe('error classes', () => {
  it('data: values Cassandra or the converter refuse', () => {
    expect(classify(response(codes.invalid, 'Invalid INTEGER constant (abc) for "qty" of type int'))).toBe(
      'data',
    );
    expect(classify(new CqlConversionError('x'))).toBe('data');
    expect(classify(new DataException('x'))).toBe('data');
    expect(classify(new TypeError('Not a valid bigint'))).toBe('data');
  });

  it('transient: unavailable, timeouts, overload, no host', () => {
    for (const code of [
      codes.unavailableException,
      codes.writeTimeout,
      codes.overloaded,
      codes.isBootstrapping,
    ])
      expect(classify(response(code))).toBe('transient');
    expect(classify(new errors.NoHostAvailableError({ h: new Error('ECONNREFUSED') }))).toBe('transient');
    expect(classify(new errors.OperationTimedOutError('slow'))).toBe('transient');
  });

  it('fatal: auth, permissions, missing keyspace or table', () => {
    expect(classify(response(codes.badCredentials))).toBe('fatal');
    expect(classify(response(codes.unauthorized))).toBe('fatal');
    expect(classify(response(codes.invalid, 'Keyspace ks does not exist'))).toBe('fatal');
    expect(classify(response(codes.invalid, 'unconfigured table orders'))).toBe('fatal');
    expect(classify(new errors.AuthenticationError('bad'))).toBe('fatal');
    expect(classify(new errors.NoHostAvailableError({ h: new errors.AuthenticationError('bad') }))).toBe(
      'fatal',
    );
    expect(classify(new FatalStoreException('missing table'))).toBe('fatal');
  });
});
