// The conformance rule of spec/kcql.md §1.2 over every recorded case of the reference (classic) parser:
// accepted statements must give exactly the reference result; rejected ones must throw KcqlError; and
// statements the reference reads only by ignoring trailing text, dropping characters or gluing words
// into one name must throw KcqlError at that spot (one trailing ';' excepted).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KcqlError, defaultKcql, parseKcql, parseKcqlList, type Kcql } from '../src/index.js';
import { splitLikeJava } from '../src/list.js';

interface Outcome {
  expect?: Partial<Kcql>;
  error?: true;
  ignoredInput?: string;
  lexerDropped?: string[];
  mergedNames?: true;
}
interface SingleCase extends Outcome {
  id: string;
  kcql: string;
}
interface MultiCase {
  id: string;
  kcqlConfigValue: string;
  splitParts: string[];
  classicParts: Outcome[];
}

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as T;
const singleCases = load<SingleCase[]>('kcql-cases.json');
const multiCases = load<MultiCase[]>('kcql-multi-cases.json');

const onlyTrailingSemicolon = (c: SingleCase): boolean =>
  c.lexerDropped?.length === 1 && c.lexerDropped[0] === ';' && c.kcql.trimEnd().endsWith(';');

/** What Sluice must do with a case: the reference's result, or a KcqlError. */
function sluiceOutcome(c: Outcome & { kcql: string }): 'accept' | 'reject' {
  if (c.error || c.ignoredInput !== undefined || c.mergedNames) return 'reject';
  if (c.lexerDropped && !onlyTrailingSemicolon(c as SingleCase)) return 'reject';
  return 'accept';
}

function parseError(statement: string): KcqlError {
  try {
    parseKcql(statement);
  } catch (error) {
    expect(error).toBeInstanceOf(KcqlError);
    return error as KcqlError;
  }
  throw new Error(`expected a KcqlError for: ${statement}`);
}

describe('single-statement conformance cases (kcql-cases.json)', () => {
  it('has the shared fixture', () => {
    expect(singleCases.length).toBe(418);
  });

  for (const c of singleCases) {
    const outcome = sluiceOutcome(c);
    it(`${c.id} ${outcome}s: ${c.kcql.replace(/\n/g, '⏎')}`, () => {
      if (outcome === 'accept') {
        expect(parseKcql(c.kcql)).toEqual({ ...defaultKcql(), ...c.expect });
        return;
      }
      const error = parseError(c.kcql);
      expect(error.message).toMatch(/^KCQL error at (line \d+, )?column \d+: ./);
      expect(error.message).toContain(`column ${error.column}:`);
      if (c.ignoredInput !== undefined && !c.error) {
        // Sluice stops no later than where the reference silently stopped reading (earlier when the
        // reference first glued a misspelt keyword onto the source name, as in S146).
        expect(error.offset).toBeLessThanOrEqual(c.kcql.lastIndexOf(c.ignoredInput));
      }
      if (c.lexerDropped && !c.error) {
        expect(c.kcql.slice(error.offset)).toMatch(
          new RegExp(`^[${c.lexerDropped.map((s) => '\\' + s[0]).join('')}]`),
        );
      }
    });
  }
});

describe('multi-statement conformance cases (kcql-multi-cases.json)', () => {
  for (const m of multiCases) {
    const accepted = m.classicParts.every((part) => sluiceOutcome({ ...part, kcql: '' }) === 'accept');
    it(`${m.id} ${accepted ? 'accepts' : 'rejects'}: ${m.kcqlConfigValue}`, () => {
      const parts = splitLikeJava(m.kcqlConfigValue).map((p) => m.kcqlConfigValue.slice(p.from, p.to));
      expect(parts).toEqual(m.splitParts);
      if (accepted) {
        expect(parseKcqlList(m.kcqlConfigValue)).toEqual(
          m.classicParts.map((p) => ({ ...defaultKcql(), ...p.expect })),
        );
      } else {
        expect(() => parseKcqlList(m.kcqlConfigValue)).toThrow(KcqlError);
      }
    });
  }
});
