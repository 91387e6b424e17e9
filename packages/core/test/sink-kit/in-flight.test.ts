import { describe, expect, it } from 'vitest';
import { ConnectionGate, InFlightWindow } from '../../src/sink-kit/index.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('InFlightWindow', () => {
  it('holds a send until an earlier one is acknowledged, and drains when all are', async () => {
    const window = new InFlightWindow(2);
    const acks = [deferred(), deferred(), deferred()];
    await window.submit(() => acks[0]!.promise);
    await window.submit(() => acks[1]!.promise);
    let thirdStarted = false;
    const third = window.submit(() => {
      thirdStarted = true;
      return acks[2]!.promise;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(thirdStarted).toBe(false);
    expect(window.size).toBe(2);
    acks[0]!.resolve();
    await third;
    expect(thirdStarted).toBe(true);
    let drained = false;
    const drain = window.drain().then(() => (drained = true));
    acks[1]!.resolve();
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    acks[2]!.resolve();
    await drain;
    expect(window.size).toBe(0);
  });

  it('a failed send fails the drain and refuses new sends', async () => {
    const window = new InFlightWindow(4);
    await window.submit(() => Promise.reject(new Error('PUBACK reason 0x97')));
    await new Promise((r) => setTimeout(r, 1));
    await expect(window.submit(() => Promise.resolve())).rejects.toThrow('0x97');
    await expect(window.drain()).rejects.toThrow('0x97');
    // The failure was handed over once: the window is usable again.
    await window.submit(() => Promise.resolve());
    await expect(window.drain()).resolves.toBeUndefined();
  });
});

describe('ConnectionGate', () => {
  it('passes at once when open and waits for open otherwise', async () => {
    const gate = new ConnectionGate('Connector c: the X store');
    let passed = false;
    const waiting = gate.whenOpen(1000).then(() => (passed = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(passed).toBe(false);
    gate.open();
    await waiting;
    await expect(gate.whenOpen(1)).resolves.toBeUndefined();
  });

  it('times out naming what it waited for and the last connection error', async () => {
    const gate = new ConnectionGate('Connector c: the X store');
    gate.close(new Error('ECONNREFUSED 127.0.0.1:1'));
    await expect(gate.whenOpen(20)).rejects.toThrow(
      'Connector c: the X store: no connection for 20 ms (last error: ECONNREFUSED 127.0.0.1:1).',
    );
  });

  it('stops waiting when the task stops', async () => {
    const gate = new ConnectionGate('Connector c');
    const abort = new AbortController();
    const waiting = gate.whenOpen(10_000, abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow(/stopped while waiting/);
  });
});
