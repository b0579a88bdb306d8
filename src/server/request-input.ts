// gwi.input over a node:http request: the body llhttp framed (Content-Length or de-chunked), read on demand.
import type { IncomingMessage } from 'node:http';
import { BufferedInput } from '../gateway/input.js';

export class RequestInput extends BufferedInput {
  #iterator: AsyncIterator<Buffer> | null = null;
  #beforeFirstRead: (() => void) | null;

  /**
   * `beforeFirstRead` runs once, before the body is first pulled: the server uses it to send
   * `100 Continue` only when the application really reads (PEP 3333's second option).
   */
  constructor(
    private readonly req: IncomingMessage,
    beforeFirstRead: (() => void) | null = null,
  ) {
    super();
    this.#beforeFirstRead = beforeFirstRead;
  }

  protected async pull(): Promise<Uint8Array | null> {
    if (this.#iterator === null) {
      this.#beforeFirstRead?.();
      this.#beforeFirstRead = null;
      this.#iterator = this.req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    }
    const step = await this.#iterator.next();
    return step.done ? null : step.value;
  }

  /** True once the application started reading (the body may then be partly consumed). */
  get started(): boolean {
    return this.#iterator !== null;
  }
}
