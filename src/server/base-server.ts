// socketserver.BaseServer's request loop: serveForever / handleRequest / shutdown over a queue of requests
// that the transport (node:http) has already parsed.

export interface ServeOptions {
  /** Seconds between wake-ups while idle; serviceActions() runs on each. */
  pollInterval?: number;
}

export interface HandleOptions {
  /** Seconds to wait for a request before handleTimeout(); waits forever when neither this nor `timeout` is set. */
  timeout?: number | null;
}

type Wake = (ready: boolean) => void;

export abstract class BaseServer<R> {
  /** Default for handleRequest() (socketserver's `timeout`), in seconds. */
  timeout: number | null = null;
  /** Threading mode: each request starts at once; otherwise one finishes before the next starts. */
  readonly threading: boolean;

  #queue: R[] = [];
  #head = 0;
  #wake: Wake | null = null;
  #timer: NodeJS.Timeout | null = null;
  #serving = false;
  /** serveForever() (not handleRequest()) is the one waiting. */
  #looping = false;
  #shutdownRequest = false;
  #stopped: Promise<void> | null = null;
  #active = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(threading: boolean) {
    this.threading = threading;
  }

  /** Called by the transport for every request it has parsed. */
  protected enqueue(request: R): void {
    // Threading mode with serveForever() idle: this is the turn the loop would run after waking —
    // dispatch and serviceActions() — done here, which saves a promise round trip per request.
    if (this.threading && this.#wake !== null && this.#looping && this.#head === this.#queue.length) {
      void this.#process(request);
      this.serviceActions();
      return;
    }
    this.#queue.push(request);
    const wake = this.#wake;
    if (wake) {
      this.#wake = null;
      wake(true);
    }
  }

  /** Requests waiting for the loop, and requests being served. */
  get pending(): number {
    return this.#queue.length - this.#head + this.#active;
  }

  #take(): R | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const request = this.#queue[this.#head++];
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    return request;
  }

  /** Resolves true when a request is queued, false when the timer or shutdown() wakes the loop. */
  #waitForRequest(): Promise<boolean> | boolean {
    if (this.#head < this.#queue.length) return true;
    return new Promise<boolean>((resolve) => (this.#wake = resolve));
  }

  #onTimer(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.(false);
  }

  #stopTimer(): void {
    // Node's clearInterval also clears a timeout.
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #claim(): void {
    if (this.#serving) throw new Error('This server is already serving: serveForever() or handleRequest() is running');
    this.#serving = true;
  }

  /** Serves requests until shutdown(); `pollInterval` (seconds) bounds the wait between serviceActions() calls. */
  async serveForever({ pollInterval = 0.5 }: ServeOptions = {}): Promise<void> {
    this.#claim();
    let stopped!: () => void;
    this.#stopped = new Promise((resolve) => (stopped = resolve));
    // One interval for the whole loop, not a timer per wait: the wait happens once per request.
    this.#timer = setInterval(() => this.#onTimer(), pollInterval * 1000);
    this.#looping = true;
    try {
      while (!this.#shutdownRequest) {
        const waited = this.#waitForRequest();
        const ready = waited === true || (await waited);
        if (this.#shutdownRequest) break;
        if (ready) {
          const served = this.#handleRequestNoblock();
          if (served) await served;
        }
        this.serviceActions();
      }
    } finally {
      this.#looping = false;
      this.#stopTimer();
      this.#shutdownRequest = false;
      this.#serving = false;
      this.#stopped = null;
      stopped();
    }
  }

  /**
   * Stops serveForever() and resolves once its loop has ended. Unlike Python's, it returns at once
   * when no loop is running, and never waits out the poll interval.
   */
  async shutdown(): Promise<void> {
    const stopped = this.#stopped;
    if (!stopped) return;
    this.#shutdownRequest = true;
    this.#onTimer();
    await stopped;
  }

  /** Serves exactly one request and resolves when it is answered, or calls handleTimeout(). */
  async handleRequest({ timeout }: HandleOptions = {}): Promise<void> {
    this.#claim();
    try {
      let seconds = timeout ?? this.timeout;
      if (timeout != null && this.timeout != null) seconds = Math.min(timeout, this.timeout);
      if (seconds != null) this.#timer = setTimeout(() => this.#onTimer(), seconds * 1000);
      const waited = this.#waitForRequest();
      const ready = waited === true || (await waited);
      if (!ready) {
        this.handleTimeout();
        return;
      }
      const request = this.#take() as R;
      const served = this.#process(request);
      if (served) await served;
    } finally {
      this.#stopTimer();
      this.#serving = false;
    }
  }

  #handleRequestNoblock(): Promise<void> | undefined {
    const request = this.#take();
    if (request === undefined) return undefined;
    const served = this.#process(request);
    return this.threading ? undefined : served;
  }

  /** Serves one request; a promise only while its answer is still under way. */
  #process(request: R): Promise<void> | undefined {
    if (!this.verifyRequest(request)) {
      this.shutdownRequest(request);
      return undefined;
    }
    this.#active++;
    let served: Promise<void> | void;
    try {
      served = this.processRequest(request);
    } catch (err) {
      this.#failed(request, err);
      return undefined;
    }
    if (served === undefined) {
      this.#done(request);
      return undefined;
    }
    return served.then(
      () => this.#done(request),
      (err: unknown) => this.#failed(request, err),
    );
  }

  #failed(request: R, err: unknown): void {
    try {
      this.handleError(request, err);
    } finally {
      this.#done(request);
    }
  }

  #done(request: R): void {
    this.#active--;
    this.shutdownRequest(request);
    if (this.#active === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves when every request being served has been answered. */
  drain(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Requests still queued when the server closes: the transport ends them. */
  protected takeQueued(): R[] {
    const rest = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    return rest;
  }

  /** Return false to refuse a request without an answer. */
  verifyRequest(_request: R): boolean {
    return true;
  }

  /** Runs on every turn of serveForever(). */
  serviceActions(): void {}

  /** Called when handleRequest() waited `timeout` seconds for nothing. */
  handleTimeout(): void {}

  /** Serves one request: returns when it is answered, or a promise that settles when it is. */
  abstract processRequest(request: R): Promise<void> | void;

  /** A request failed in a way its handler could not answer. */
  abstract handleError(request: R, err: unknown): void;

  /** The end of a request, answered or not. */
  abstract shutdownRequest(request: R): void;
}
