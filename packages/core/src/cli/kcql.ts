import { KcqlError, parseKcql } from '@sluice/kcql';
import { CliError } from './cli-error.js';

/** `sluice kcql "<statement>"` — prints the parsed statement as JSON, or the parse error (exit 1). */
export function runKcql(args: readonly string[], out: (text: string) => void): void {
  const statement = args.join(' ').trim();
  if (statement === '') throw new CliError('Usage: sluice kcql "<KCQL statement>"', 2);
  try {
    out(JSON.stringify(parseKcql(statement), null, 2));
  } catch (e) {
    if (e instanceof KcqlError) throw new CliError(e.message, 1);
    throw e;
  }
}
