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
  #shutdownRequest = false;
  #stopped: Promise<void> | null = null;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(threading: boolean) {
    this.threading = threading;
  }

  /** Called by the transport for every request it has parsed. */
  protected enqueue(request: R): void {
    this.#queue.push(request);
    const wake = this.#wake;
    if (wake) {
      this.#wake = null;
      wake(true);
    }
  }

  /** Requests waiting for the loop, and requests being served. */
  get pending(): number {
    return this.#queue.length - this.#head + this.#inFlight.size;
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

  /** Resolves true when a request is queued, false after `ms` (or on shutdown). */
  #waitForRequest(ms: number): Promise<boolean> | boolean {
    if (this.#head < this.#queue.length) return true;
    return new Promise<boolean>((resolve) => {
      this.#wake = resolve;
      if (Number.isFinite(ms)) {
        if (this.#timer) this.#timer.refresh();
        else this.#timer = setTimeout(() => this.#onTimer(), ms);
      }
    });
  }

  #onTimer(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.(false);
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
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
    try {
      while (!this.#shutdownRequest) {
        const waited = this.#waitForRequest(pollInterval * 1000);
        const ready = waited === true || (await waited);
        if (this.#shutdownRequest) break;
        if (ready) await this.#handleRequestNoblock();
        this.serviceActions();
      }
    } finally {
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
      const waited = this.#waitForRequest(seconds == null ? Infinity : seconds * 1000);
      const ready = waited === true || (await waited);
      if (!ready) {
        this.handleTimeout();
        return;
      }
      const request = this.#take() as R;
      await this.#process(request);
    } finally {
      this.#stopTimer();
      this.#serving = false;
    }
  }

  async #handleRequestNoblock(): Promise<void> {
    const request = this.#take();
    if (request === undefined) return;
    const served = this.#process(request);
    if (!this.threading) await served;
  }

  #process(request: R): Promise<void> {
    if (!this.verifyRequest(request)) {
      this.shutdownRequest(request);
      return Promise.resolve();
    }
    const served = this.processRequest(request)
      .catch((err: unknown) => this.handleError(request, err))
      .finally(() => {
        this.#inFlight.delete(served);
        this.shutdownRequest(request);
      });
    this.#inFlight.add(served);
    return served;
  }

  /** Resolves when every request being served has been answered. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
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

  /** Serves one request; resolves when it is answered. */
  abstract processRequest(request: R): Promise<void>;

  /** A request failed in a way its handler could not answer. */
  abstract handleError(request: R, err: unknown): void;

  /** The end of a request, answered or not. */
  abstract shutdownRequest(request: R): void;
}
