import { describe, expect, it } from 'vitest';
import { ConnectDecimal } from '../../src/data/index.js';

describe('ConnectDecimal', () => {
  it('keeps the scale of the text', () => {
    const d = ConnectDecimal.parse('1.5600');
    expect([d.unscaled, d.scale]).toEqual([15600n, 4]);
    expect(d.toString()).toBe('1.5600');
    expect(ConnectDecimal.parse('-0.001').toString()).toBe('-0.001');
    expect(ConnectDecimal.parse('12e-2')).toEqual(new ConnectDecimal(12n, 2));
  });

  it('prints like BigDecimal.toString', () => {
    expect(new ConnectDecimal(1n, -3).toString()).toBe('1E+3');
    expect(new ConnectDecimal(123n, -2).toString()).toBe('1.23E+4');
    expect(new ConnectDecimal(1n, 7).toString()).toBe('1E-7');
    expect(new ConnectDecimal(1n, 6).toString()).toBe('0.000001');
    expect(new ConnectDecimal(-15n, 9).toString()).toBe('-1.5E-8');
    expect(new ConnectDecimal(1n, -3).toPlainString()).toBe('1000');
    expect(new ConnectDecimal(0n, 2).toString()).toBe('0.00');
  });

  it('is scale-sensitive in equals but not in compareTo', () => {
    expect(ConnectDecimal.parse('1.5').equals(ConnectDecimal.parse('1.50'))).toBe(false);
    expect(ConnectDecimal.parse('1.5').compareTo(ConnectDecimal.parse('1.50'))).toBe(0);
    expect(ConnectDecimal.parse('1.5').compareTo(ConnectDecimal.parse('-2'))).toBe(1);
  });

  it('rescales exactly or refuses', () => {
    expect(ConnectDecimal.parse('1.5').setScale(3).toString()).toBe('1.500');
    expect(ConnectDecimal.parse('1.500').setScale(1).toString()).toBe('1.5');
    expect(() => ConnectDecimal.parse('1.55').setScale(1)).toThrow('Rounding necessary');
  });

  it('rejects text that is not a number', () => {
    expect(() => ConnectDecimal.parse('abc')).toThrow('Not a decimal number: "abc"');
    expect(() => ConnectDecimal.parse('.')).toThrow();
  });

  it('converts from a double like BigDecimal.valueOf', () => {
    expect(ConnectDecimal.fromNumber(12).toString()).toBe('12.0');
    expect(ConnectDecimal.fromNumber(0.1).toString()).toBe('0.1');
  });
});
