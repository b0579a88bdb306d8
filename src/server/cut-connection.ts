// Cutting a connection after a response that cannot be completed (an error after the head went out, a
// request body left half-read): the client still gets every byte written before the cut.
import type { ServerResponse } from 'node:http';

/**
 * Closes the connection once what was written went out, so the client sees exactly those bytes;
 * settles when it is closed. destroy() alone would drop what node:http still holds (it corks
 * writes until the next tick) and what the socket has not sent yet.
 */
export function cutConnection(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (socket === null) {
    res.destroy();
    return Promise.resolve();
  }
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end(() => socket.destroy());
  });
}
