import { describe, expect, it } from 'vitest';
import { runKcql } from '../../src/cli/kcql.js';
import { CliError } from '../../src/cli/cli-error.js';

describe('sluice kcql', () => {
  it('prints the parsed statement as JSON', () => {
    const out: string[] = [];
    runKcql(['INSERT INTO orders SELECT * FROM orders_topic'], (t) => out.push(t));
    const parsed = JSON.parse(out.join('\n'));
    expect(parsed).toMatchObject({ target: 'orders', source: 'orders_topic' });
  });

  it('fails with exit code 1 and the parser message', () => {
    try {
      runKcql(['INSERT INTO x SELECT * FORM y'], () => undefined);
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(1);
      expect((e as Error).message).toMatch(/KCQL error at column/);
    }
  });

  it('needs a statement (usage, exit code 2)', () => {
    expect(() => runKcql([], () => undefined)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
