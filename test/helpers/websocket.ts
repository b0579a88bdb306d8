// A minimal WebSocket client for tests (Node 20 has none, and no `ws` package is installed): the HTTP
// upgrade, masked client text frames, and the server's unmasked text frames; enough for the inspector.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TEXT = 0x1;
const CLOSE = 0x8;

export class WebSocketClient {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #listeners = new Set<(text: string) => void>();
  /** Resolves when the server closes the connection (or it drops). */
  readonly closed: Promise<void>;

  private constructor(socket: Socket, head: Buffer) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#received(chunk));
    socket.on('error', () => socket.destroy());
    if (head.length > 0) this.#received(head);
  }

  /** Opens `url` (ws://host:port/path); rejects unless the server switches protocols with the right accept key. */
  static connect(url: string): Promise<WebSocketClient> {
    const { hostname, port, pathname } = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: hostname.replace(/^\[|\]$/g, ''),
        port,
        path: pathname,
        agent: false,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket, head) => {
        if (res.headers['sec-websocket-accept'] === accept) return resolve(new WebSocketClient(socket, head));
        socket.destroy();
        reject(new Error(`bad Sec-WebSocket-Accept from ${url}`));
      });
      req.on('response', (res) => reject(new Error(`${url} answered ${res.statusCode} instead of switching protocols`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Calls `listener` with each text message. */
  onMessage(listener: (text: string) => void): void {
    this.#listeners.add(listener);
  }

  /** One text frame, masked as a client must. */
  send(text: string): void {
    const payload = Buffer.from(text, 'utf8');
    const { length } = payload;
    const extended = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
    const header = Buffer.alloc(2 + extended);
    // FIN and the opcode; the mask bit and the length (126: 16 bits follow, 127: 64 bits).
    header[0] = 0x80 | TEXT;
    header[1] = 0x80 | (extended === 0 ? length : extended === 2 ? 126 : 127);
    if (extended === 2) header.writeUInt16BE(length, 2);
    else if (extended === 8) header.writeBigUInt64BE(BigInt(length), 2);
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
    this.#socket.write(Buffer.concat([header, mask, masked]));
  }

  close(): void {
    this.#socket.destroy();
  }

  /** Reads every whole frame buffered (a server's frames are never masked, and the inspector never fragments). */
  #received(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#buffer.length < 2) return;
      const opcode = (this.#buffer[0] as number) & 0x0f;
      let length = (this.#buffer[1] as number) & 0x7f;
      let start = 2;
      if (length === 126) {
        if (this.#buffer.length < 4) return;
        length = this.#buffer.readUInt16BE(2);
        start = 4;
      } else if (length === 127) {
        if (this.#buffer.length < 10) return;
        length = Number(this.#buffer.readBigUInt64BE(2));
        start = 10;
      }
      if (this.#buffer.length < start + length) return;
      const payload = this.#buffer.subarray(start, start + length);
      this.#buffer = this.#buffer.subarray(start + length);
      if (opcode === TEXT) for (const listener of this.#listeners) listener(payload.toString('utf8'));
      else if (opcode === CLOSE) this.#socket.end();
    }
  }
}
