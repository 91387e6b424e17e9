// Polling until a condition holds, with a message that says what was awaited.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error, e.g. "1000 documents in readings". */
  what: string;
}

/** Thrown by a check to stop waiting at once (e.g. a task went FAILED); other errors are retried. */
export class WaitAbort extends Error {}

/** Resolves with the first truthy result of `check`; rejects after the timeout with the last state seen. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result) return result;
      last = result;
    } catch (e) {
      if (e instanceof WaitAbort) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `Timed out after ${options.timeoutMs ?? 60_000} ms waiting for ${options.what} (last: ${detail})`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
