import { HttpError } from './errors.js';

// Kafka Connect gives every herder request `rest.request.timeout.ms` (90 s) and answers 500
// "Request timed out" after that; the operation itself carries on in the background.

export type Timed = <T>(operation: Promise<T>) => Promise<T>;

export function requestTimeout(ms: number): Timed {
  return <T>(operation: Promise<T>) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HttpError(500, 'Request timed out')), ms);
    });
    // A late failure of the abandoned operation must not become an unhandled rejection.
    operation.catch(() => undefined);
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  };
}
