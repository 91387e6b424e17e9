// Java's Double.toString / Float.toString, which Kafka Connect uses when it renders floating-point values
// (JsonConverter payloads, header strings). They differ from JS: integral values keep `.0` and the
// exponent form (`1.0E7`, `1.0E-4`) is used outside [1e-3, 1e7).

export function formatJavaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return formatShortest(value);
}

/** The shortest decimal that reads back as the same float32, formatted as Float.toString does. */
export function formatJavaFloat(value: number): string {
  const f = Math.fround(value);
  if (!Number.isFinite(f)) return formatJavaDouble(f);
  for (let p = 1; p < 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return formatShortest(candidate);
  }
  return formatShortest(Number(f.toPrecision(9)));
}

function formatShortest(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    // JS prints this range without an exponent, with the shortest round-trip digits, like Java.
    const plain = String(value);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [digits, exponent] = value.toExponential().split('e') as [string, string];
  return `${digits.includes('.') ? digits : `${digits}.0`}E${Number(exponent)}`;
}
