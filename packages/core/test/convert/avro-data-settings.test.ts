import { describe, expect, it } from 'vitest';
import { AvroData } from '../../src/convert/avro/index.js';
import { ConfigException } from '../../src/errors.js';

// AvroData takes its settings as camelCase properties or under Confluent's own keys, and refuses
// anything else rather than running with defaults the caller did not ask for.
describe('AvroData settings', () => {
  it("takes Confluent's keys, as converter properties carry them", () => {
    const data = new AvroData({
      'schemas.cache.config': '7',
      'enhanced.avro.schema.support': 'true',
      'connect.meta.data': 'false',
    });
    expect(data.config).toMatchObject({
      schemasCacheSize: 7,
      enhancedSchemaSupport: true,
      connectMetaData: false,
    });
  });

  it('takes camelCase settings and a bare cache size', () => {
    expect(new AvroData({ scrubInvalidNames: true }).config.scrubInvalidNames).toBe(true);
    expect(new AvroData(12).config.schemasCacheSize).toBe(12);
  });

  it('refuses an unknown key, naming it and the keys there are', () => {
    let error: unknown;
    try {
      new AvroData({ 'enhanced.schema.support': 'true' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigException);
    expect((error as Error).message).toMatch(
      /no setting enhanced\.schema\.support.*enhanced\.avro\.schema\.support/,
    );
  });

  it('refuses a bad value under a Confluent key', () => {
    expect(() => new AvroData({ 'schemas.cache.config': '0' })).toThrow(/schemas\.cache\.config/);
  });
});
