import { describe, expect, it } from 'vitest';
import { renderStatusTable } from '../src/framework/render.js';
import { formatElapsed } from '../src/framework/progress.js';
import { lastLines } from '../src/framework/log-tail.js';
import { cacheRoot, servicePaths } from '../src/framework/paths.js';

describe('renderStatusTable', () => {
  it('aligns columns and shows - for what a stopped service lacks', () => {
    const table = renderStatusTable([
      {
        name: 'kafka',
        state: 'healthy',
        pid: 123,
        host: '127.0.0.1',
        port: 9092,
        connection: '127.0.0.1:9092',
      },
      {
        name: 'schema-registry',
        state: 'stopped',
        host: '127.0.0.1',
        port: 8081,
        connection: 'http://127.0.0.1:8081/apis/ccompat/v7',
      },
      { name: 'rethinkdb', state: 'unknown', detail: 'module did not load: boom' },
    ]);
    expect(table.split('\n')).toEqual([
      'SERVICE          STATE    PID  ADDRESS         CONNECTION',
      'kafka            healthy  123  127.0.0.1:9092  127.0.0.1:9092',
      'schema-registry  stopped  -    127.0.0.1:8081  http://127.0.0.1:8081/apis/ccompat/v7',
      'rethinkdb        unknown  -    -               module did not load: boom',
    ]);
  });
});

describe('formatElapsed', () => {
  it('shows seconds, then minutes and zero-padded seconds', () => {
    expect(formatElapsed(5_400)).toBe('5s');
    expect(formatElapsed(65_000)).toBe('1m05s');
    expect(formatElapsed(3_600_000)).toBe('60m00s');
  });
});

describe('lastLines', () => {
  it('keeps the last n lines and drops trailing blank lines', () => {
    expect(lastLines('a\nb\nc\nd\n\n', 2)).toBe('c\nd');
    expect(lastLines('only', 5)).toBe('only');
  });
});

describe('cache layout', () => {
  it('uses SLUICE_INFRA_CACHE, else ~/.cache/sluice-infra', () => {
    expect(cacheRoot({ SLUICE_INFRA_CACHE: '/srv/cache' })).toBe('/srv/cache');
    expect(cacheRoot({ SLUICE_INFRA_CACHE: '  ' })).toMatch(/\.cache\/sluice-infra$/);
  });

  it('keeps install, data, log, pid and lock of a service apart', () => {
    expect(servicePaths('/c', 'kafka')).toEqual({
      installDir: '/c/install/kafka',
      dataDir: '/c/data/kafka',
      logFile: '/c/logs/kafka.log',
      pidFile: '/c/run/kafka.json',
      lockTarget: '/c/locks/kafka',
    });
  });
});
