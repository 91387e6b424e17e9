import type { Logger } from 'pino';
import { logLevel, type logCreator } from 'kafkajs';

// kafkajs logs through pino, with the kafkajs namespace (Consumer, Runner, Connection…) as context.

export function kafkaJsLogLevel(logger: Logger): logLevel {
  return logger.isLevelEnabled('debug') ? logLevel.DEBUG : logLevel.INFO;
}

export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const ctx = { kafkajs: namespace, ...extra };
      switch (level) {
        case logLevel.ERROR:
          logger.error(ctx, message);
          break;
        case logLevel.WARN:
          logger.warn(ctx, message);
          break;
        case logLevel.INFO:
          logger.info(ctx, message);
          break;
        default:
          logger.debug(ctx, message);
      }
    };
}
