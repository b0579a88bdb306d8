// gwi.input over a node:http request: the body llhttp framed (Content-Length or de-chunked), read on demand.
import type { IncomingMessage } from 'node:http';
import { BufferedInput } from '../gateway/input.js';

export class RequestInput extends BufferedInput {
  #iterator: AsyncIterator<Buffer> | null = null;
  #beforeFirstRead: (() => void) | null;
  /** Body bytes handed to the application so far. */
  #pulled = 0;

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
    if (step.done) return null;
    this.#pulled += step.value.length;
    return step.value;
  }

  /** True once the application started reading (the body may then be partly consumed). */
  get started(): boolean {
    return this.#iterator !== null;
  }

  /**
   * The application began reading the body and some of it is still to come. A Content-Length body
   * counts as read once that many bytes were: node's parser marks the request complete only in its next
   * callback, and the application may answer before (the body's last bytes came in a packet of their own).
   */
  get partlyRead(): boolean {
    if (this.#iterator === null || this.req.complete) return false;
    const length = this.req.headers['content-length'];
    return length === undefined || this.#pulled < Number(length);
  }
}
