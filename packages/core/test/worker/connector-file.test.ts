import { describe, expect, it } from 'vitest';
import { parseConnectorFile } from '../../src/worker/connector-file.js';

describe('parseConnectorFile', () => {
  it('reads a properties file', () => {
    const req = parseConnectorFile(
      'name=file-sink\nconnector.class=FileStreamSink\ntopics=t',
      'sink.properties',
    );
    expect(req).toEqual({
      name: 'file-sink',
      config: { name: 'file-sink', 'connector.class': 'FileStreamSink', topics: 't' },
    });
  });

  it('reads a JSON config map', () => {
    const req = parseConnectorFile(
      '{"name":"j","connector.class":"FileStreamSink","tasks.max":2}',
      'sink.json',
    );
    expect(req.name).toBe('j');
    expect(req.config['tasks.max']).toBe('2');
  });

  it('reads a CreateConnectorRequest with initial_state, filling config.name', () => {
    const req = parseConnectorFile(
      '{"name":"c","config":{"connector.class":"FileStreamSink"},"initial_state":"paused"}',
      'c.json',
    );
    expect(req).toEqual({
      name: 'c',
      config: { 'connector.class': 'FileStreamSink', name: 'c' },
      initialState: 'PAUSED',
    });
  });

  it('maps initial_state RUNNING to the STARTED target state', () => {
    expect(parseConnectorFile('{"name":"c","config":{},"initial_state":"RUNNING"}').initialState).toBe(
      'STARTED',
    );
  });

  it('rejects a config name that differs from the request name', () => {
    expect(() => parseConnectorFile('{"name":"a","config":{"name":"b"}}')).toThrow(
      /\(b\) doesn't match connector name in the URL \(a\)/,
    );
  });

  it('requires a name in every form', () => {
    expect(() => parseConnectorFile('topics=x', 'x.properties')).toThrow(/no "name"/);
    expect(() => parseConnectorFile('{"topics":"x"}')).toThrow(/no "name"/);
  });

  it('rejects an unknown initial state', () => {
    expect(() => parseConnectorFile('{"name":"a","config":{},"initial_state":"SLEEPING"}')).toThrow(
      /Invalid initial state/,
    );
  });
});
