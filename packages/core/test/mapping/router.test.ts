import { describe, expect, it } from 'vitest';
import { ConfigException, ConnectException } from '../../src/errors.js';
import { KcqlRouter } from '../../src/mapping/router.js';

const KEY = 'connect.mongo.kcql';

describe('KcqlRouter', () => {
  it('maps each topic to its statements, fan-out included', () => {
    const router = KcqlRouter.fromConfig(
      {
        topics: 'a, b',
        [KEY]:
          'INSERT INTO x SELECT * FROM a; INSERT INTO y SELECT * FROM a; UPSERT INTO z SELECT * FROM b PK id',
      },
      KEY,
    );
    expect(router.routes('a').map((s) => s.target)).toEqual(['x', 'y']);
    expect(router.routes('b').map((s) => [s.target, s.writeMode])).toEqual([['z', 'UPSERT']]);
    expect(router.sources()).toEqual(['a', 'b']);
  });

  it('a record from a topic without a statement is a ConnectException naming the topic', () => {
    const router = KcqlRouter.fromConfig({ topics: 'a', [KEY]: 'INSERT INTO x SELECT * FROM a' }, KEY);
    expect(() => router.routes('other')).toThrow(ConnectException);
    expect(() => router.routes('other')).toThrow(/Topic other is not handled by the configuration/);
  });

  it('names the topics without KCQL and the KCQL sources that are not subscribed', () => {
    const config = { topics: 'a,b', [KEY]: 'INSERT INTO x SELECT * FROM a; INSERT INTO y SELECT * FROM c' };
    expect(() => KcqlRouter.fromConfig(config, KEY)).toThrow(ConfigException);
    expect(() => KcqlRouter.fromConfig(config, KEY)).toThrow(
      /Invalid value for configuration connect\.mongo\.kcql: .*topics without a KCQL statement: b; KCQL sources missing from 'topics': c\./,
    );
  });

  it('accepts topics.regex when every source matches it', () => {
    const config = { 'topics.regex': 'orders-.*', [KEY]: 'INSERT INTO x SELECT * FROM orders-eu' };
    expect(KcqlRouter.fromConfig(config, KEY).sources()).toEqual(['orders-eu']);
    expect(() =>
      KcqlRouter.fromConfig({ ...config, [KEY]: 'INSERT INTO x SELECT * FROM users' }, KEY),
    ).toThrow(/not matched by 'topics.regex' \(orders-\.\*\): users/);
  });

  it('reports missing topics, missing KCQL and KCQL that does not parse against the right key', () => {
    expect(() => KcqlRouter.fromConfig({ [KEY]: 'INSERT INTO x SELECT * FROM a' }, KEY)).toThrow(
      /Missing 'topics'/,
    );
    expect(() => KcqlRouter.fromConfig({ topics: 'a' }, KEY)).toThrow(/Missing \[connect\.mongo\.kcql\]/);
    const bad = () => KcqlRouter.fromConfig({ topics: 'a', [KEY]: 'INSERT INTO x SELEC * FROM a' }, KEY);
    expect(bad).toThrow(/connect\.mongo\.kcql: KCQL does not parse/);
  });
});
