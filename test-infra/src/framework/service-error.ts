import { tailFile } from './log-tail.js';

/** A service failed to install, start or become healthy. The message says which, why, and where to look. */
export class ServiceError extends Error {
  constructor(
    readonly service: string,
    readonly reason: string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(
      `test-infra: ${service}: ${reason}\n` +
        (logTail
          ? `--- last lines of ${logFile} ---\n${logTail}\n--- end of ${logFile} ---`
          : `(log: ${logFile})`),
    );
    this.name = 'ServiceError';
  }

  static async from(service: string, reason: string, logFile: string): Promise<ServiceError> {
    return new ServiceError(service, reason, logFile, await tailFile(logFile));
  }
}
