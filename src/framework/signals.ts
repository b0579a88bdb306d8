// Signals: receivers connected to a named event (Django's dispatch), and the request signals.

export type Receiver<A> = (sender: unknown, args: A) => unknown;

export class Signal<A = Record<string, unknown>> {
  readonly #receivers = new Map<unknown, Receiver<A>>();

  /** Connects `receiver`; `dispatchUid` (default: the receiver itself) keeps one connection per key. */
  connect(receiver: Receiver<A>, { dispatchUid }: { dispatchUid?: unknown } = {}): void {
    this.#receivers.set(dispatchUid ?? receiver, receiver);
  }

  /** Returns true when something was disconnected. */
  disconnect(receiverOrUid: unknown): boolean {
    return this.#receivers.delete(receiverOrUid);
  }

  hasListeners(): boolean {
    return this.#receivers.size > 0;
  }

  /** Calls every receiver in connection order; an error from one stops the others, as in Django. */
  send(sender: unknown, args: A): [Receiver<A>, unknown][] {
    const results: [Receiver<A>, unknown][] = [];
    // Most signals have no receiver on most requests: no copy to make then.
    if (this.#receivers.size === 0) return results;
    for (const receiver of [...this.#receivers.values()]) results.push([receiver, receiver(sender, args)]);
    return results;
  }
}

/** Sent first for every request, with the environ. */
export const requestStarted = new Signal<{ environ: Record<string, unknown> }>();
/** Sent when the server closes the response (after the body was sent). */
export const requestFinished = new Signal<Record<string, never>>();
/** Sent for an exception that becomes a 500. */
export const gotRequestException = new Signal<{ request: unknown; exception: unknown }>();
