import type { StompMessage, StompSession } from './stomp-session.js';

// A batch of messages → one transaction, committed or not at all. When the broker refuses a
// destination, the transaction is dropped with the connection: that destination's messages are data
// errors (each goes to the DLQ or the error policy on its own) and the others are sent again, in a new
// transaction, until they are committed or the broker is unavailable (which throws, for the policy).

export interface ItemFailure {
  readonly index: number;
  readonly error: unknown;
}

export async function writeMessages(
  session: Pick<StompSession, 'commit'>,
  messages: readonly StompMessage[],
): Promise<ItemFailure[]> {
  const failures: ItemFailure[] = [];
  let pending = messages.map((message, index) => ({ message, index }));
  while (pending.length > 0) {
    const result = await session.commit(pending.map((p) => p.message));
    if (result.committed) break;
    const refused = result.refused;
    for (const p of pending)
      if (p.message.destination === refused.destination) failures.push({ index: p.index, error: refused });
    pending = pending.filter((p) => p.message.destination !== refused.destination);
  }
  return failures;
}
