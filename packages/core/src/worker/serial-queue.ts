// Runs async operations one at a time, in submission order: the herder's writes (create, update,
// pause, restart, delete...) must not interleave, or a restart could race a delete.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op, op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
