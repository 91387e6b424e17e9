import { describe, expect, it } from 'vitest';
import { formatJavaDouble, formatJavaFloat } from '../../src/data/index.js';

describe('Java number formats', () => {
  it('formats doubles like Double.toString', () => {
    expect(formatJavaDouble(12)).toBe('12.0');
    expect(formatJavaDouble(12.34)).toBe('12.34');
    expect(formatJavaDouble(1e7)).toBe('1.0E7');
    expect(formatJavaDouble(1.5e-4)).toBe('1.5E-4');
    expect(formatJavaDouble(0.001)).toBe('0.001');
    expect(formatJavaDouble(-0)).toBe('-0.0');
    expect(formatJavaDouble(1.2345e21)).toBe('1.2345E21');
    expect(formatJavaDouble(Number.NaN)).toBe('NaN');
  });

  it('formats floats with the shortest float32 digits', () => {
    expect(formatJavaFloat(12.34)).toBe('12.34');
    expect(formatJavaFloat(Math.fround(0.1))).toBe('0.1');
    expect(formatJavaFloat(3)).toBe('3.0');
    expect(formatJavaFloat(Math.fround(1e10))).toBe('1.0E10');
  });
});
