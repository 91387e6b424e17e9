import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/framework/args.js';
import { SERVICE_NAMES } from '../src/services/index.js';

describe('parseArgs', () => {
  it('parses up with names, deduplicating them', () => {
    expect(parseArgs(['up', 'kafka', 'mongodb', 'kafka'])).toEqual({
      kind: 'up',
      services: ['kafka', 'mongodb'],
    });
  });

  it('expands `all` for up', () => {
    expect(parseArgs(['up', 'all'])).toEqual({ kind: 'up', services: [...SERVICE_NAMES] });
  });

  it('parses up --for with package names', () => {
    expect(parseArgs(['up', '--for', '@sluice/sink-mongodb', '@sluice/core'])).toEqual({
      kind: 'up-for',
      packages: ['@sluice/sink-mongodb', '@sluice/core'],
    });
    expect(() => parseArgs(['up', '--for'])).toThrow(/up --for needs package names/);
  });

  it('refuses up without names', () => {
    expect(() => parseArgs(['up'])).toThrow(/up needs service names or `all`/);
  });

  it('means every service for down and status without names', () => {
    expect(parseArgs(['down'])).toEqual({ kind: 'down', services: [...SERVICE_NAMES] });
    expect(parseArgs(['status'])).toEqual({ kind: 'status', services: [...SERVICE_NAMES], json: false });
  });

  it('accepts --json for status only', () => {
    expect(parseArgs(['status', 'kafka', '--json'])).toEqual({
      kind: 'status',
      services: ['kafka'],
      json: true,
    });
    expect(() => parseArgs(['up', 'kafka', '--json'])).toThrow(/unknown option --json for up/);
  });

  it('names unknown services and lists the known ones', () => {
    const err = (() => {
      try {
        parseArgs(['up', 'kafak']);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('unknown service kafak');
    expect(err?.message).toContain('schema-registry');
  });

  it('treats no command and help flags as help, and rejects unknown commands', () => {
    expect(parseArgs([])).toEqual({ kind: 'help' });
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(() => parseArgs(['start', 'kafka'])).toThrow(/unknown command start/);
  });
});
