import { pino, type Logger } from 'pino';

// The process's root logger: JSON lines on stdout (what log shippers expect), level from
// SLUICE_LOG_LEVEL (default info). `/admin/loggers` changes levels at run time.
export function createRootLogger(): Logger {
  return pino({
    level: (process.env.SLUICE_LOG_LEVEL ?? 'info').toLowerCase(),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
