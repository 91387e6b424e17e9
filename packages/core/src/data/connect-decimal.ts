import { DataException } from '../errors.js';

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * An exact decimal number, `unscaled × 10^-scale`: the value of Connect's logical `Decimal` type (Java's
 * BigDecimal). The scale is part of the value: 1.5 and 1.50 are different values, as in Java.
 */
export class ConnectDecimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {
    if (!Number.isInteger(scale)) throw new DataException(`Decimal scale must be an integer, got ${scale}`);
    Object.freeze(this);
  }

  /** Parses plain or exponent notation (`-1.5600`, `1E+3`, `12e-2`) keeping the scale the text implies. */
  static parse(text: string): ConnectDecimal {
    const m = DECIMAL_TEXT.exec(text.trim());
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
      throw new DataException(`Not a decimal number: "${text}"`);
    }
    const [, sign, intDigits, fracDigits = '', exponent] = m;
    const unscaled = BigInt(`${sign}${intDigits}${fracDigits}` || '0');
    const scale = fracDigits.length - (exponent ? Number(exponent) : 0);
    return new ConnectDecimal(unscaled, scale);
  }

  /** The decimal with the shortest text that round-trips to `value` (as Java's BigDecimal.valueOf). */
  static fromNumber(value: number): ConnectDecimal {
    if (!Number.isFinite(value)) throw new DataException(`Cannot represent ${value} as a decimal`);
    const text = String(value);
    const d = ConnectDecimal.parse(text);
    // BigDecimal.valueOf(double) goes through Double.toString, which always has a fraction digit.
    return d.scale < 1 && !/[eE]/.test(text) ? d.setScale(1) : d;
  }

  /** Same value at a larger scale (exact), or at a smaller one when no non-zero digit is dropped. */
  setScale(scale: number): ConnectDecimal {
    if (scale === this.scale) return this;
    if (scale > this.scale)
      return new ConnectDecimal(this.unscaled * 10n ** BigInt(scale - this.scale), scale);
    const divisor = 10n ** BigInt(this.scale - scale);
    if (this.unscaled % divisor !== 0n) {
      throw new DataException(`Rounding necessary to change the scale of ${this.toString()} to ${scale}`);
    }
    return new ConnectDecimal(this.unscaled / divisor, scale);
  }

  /** Nearest double; may lose precision. */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Java's BigDecimal.toString: plain notation unless the scale is negative or the value is very small. */
  toString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    const adjusted = digits.length - 1 - this.scale;
    let body: string;
    if (this.scale >= 0 && adjusted >= -6) {
      body = plain(digits, this.scale);
    } else {
      const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
      body = `${mantissa}E${adjusted > 0 ? '+' : ''}${adjusted}`;
    }
    return negative ? `-${body}` : body;
  }

  /** Java's BigDecimal.toPlainString: never exponent notation. */
  toPlainString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    const body = this.scale >= 0 ? plain(digits, this.scale) : digits + '0'.repeat(-this.scale);
    return negative ? `-${body}` : body;
  }

  /** Scale-sensitive equality, as BigDecimal.equals. */
  equals(other: unknown): boolean {
    return other instanceof ConnectDecimal && other.unscaled === this.unscaled && other.scale === this.scale;
  }

  /** Numeric comparison ignoring scale: -1, 0 or 1. */
  compareTo(other: ConnectDecimal): number {
    const scale = Math.max(this.scale, other.scale);
    const a = this.setScale(scale).unscaled;
    const b = other.setScale(scale).unscaled;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  toJSON(): string {
    return this.toString();
  }
}

function plain(digits: string, scale: number): string {
  if (scale === 0) return digits;
  const padded = digits.length <= scale ? '0'.repeat(scale - digits.length + 1) + digits : digits;
  return `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}
