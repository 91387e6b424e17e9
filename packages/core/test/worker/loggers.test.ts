import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LoggerRegistry } from '../../src/worker/loggers.js';

function capture() {
  const lines: { logger?: string; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, root: pino({ level: 'info' }, stream) };
}

describe('LoggerRegistry', () => {
  it('sets a namespace and its children, and live loggers follow', async () => {
    const { lines, root } = capture();
    const registry = new LoggerRegistry(root);
    const task = registry.logger('sluice.connector.orders');
    const other = registry.logger('sluice.rest');
    task.debug('hidden');
    expect(registry.setLevel('sluice.connector', 'DEBUG', 1000)).toEqual([
      'sluice.connector',
      'sluice.connector.orders',
    ]);
    task.debug('shown');
    other.debug('still hidden');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    expect(registry.get('sluice.connector.orders')).toEqual({ level: 'DEBUG', last_modified: 1000 });
  });

  it('new loggers inherit the closest configured level', () => {
    const { root } = capture();
    const registry = new LoggerRegistry(root);
    registry.setLevel('sluice', 'WARN');
    expect(registry.logger('sluice.worker').level).toBe('warn');
    expect(registry.get('sluice.worker')!.level).toBe('WARN');
  });

  it('does not touch last_modified when the level is unchanged, and maps OFF to silent', () => {
    const { root } = capture();
    const registry = new LoggerRegistry(root);
    registry.logger('a.b');
    registry.setLevel('a', 'ERROR', 5);
    registry.setLevel('a', 'error', 9);
    expect(registry.get('a.b')).toEqual({ level: 'ERROR', last_modified: 5 });
    registry.setLevel('root', 'OFF', 10);
    expect(root.level).toBe('silent');
    expect(() => registry.setLevel('a', 'LOUD')).toThrow("invalid log level 'LOUD'.");
  });
});
