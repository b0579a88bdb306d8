// The supervisor's copies of the connections it hands to server processes. A copy is never read from; it
// keeps the connection open while its process lets go of it, so an idle keep-alive connection can move
// to the process that serves newer code with nothing sent to the client and no byte of it read.
import type { Socket } from 'node:net';
import type { ServerProcess, ServerProcessEvents } from './server-process.js';

interface Copy {
  id: number;
  socket: Socket;
  /** The process serving it now, or null while the supervisor holds it (queued, or handed back). */
  owner: ServerProcess | null;
}

export class HandedConnections {
  #lastId = 0;
  readonly #byId = new Map<number, Copy>();
  readonly #bySocket = new Map<Socket, Copy>();

  /** Hands `socket` to `child`, keeping a copy; false when the process cannot take it. */
  handTo(child: ServerProcess, socket: Socket): boolean {
    let copy = this.#bySocket.get(socket);
    if (copy === undefined) {
      copy = { id: ++this.#lastId, socket, owner: null };
      this.#byId.set(copy.id, copy);
      this.#bySocket.set(socket, copy);
    }
    if (!child.forward(socket, copy.id)) return false;
    copy.owner = child;
    return true;
  }

  /**
   * What the server processes say of the connections they were handed: one closed closes its copy; one
   * handed back idle (its next request goes to newer code), or never delivered, goes to `dispatch`, for
   * whoever serves now (a process that failed to take one is not asked again).
   */
  processEvents(dispatch: (socket: Socket) => void): Pick<ServerProcessEvents, 'closed' | 'released' | 'undelivered'> {
    return {
      closed: (child, id) => this.closed(child, id),
      released: (child, id) => {
        const socket = this.released(child, id);
        if (socket) dispatch(socket);
      },
      undelivered: (_child, sockets) => sockets.forEach((socket) => dispatch(this.undelivered(socket))),
    };
  }

  /** The connection `child` handed back (null when it was not that process's to give). */
  released(child: ServerProcess, id: number): Socket | null {
    const copy = this.#byId.get(id);
    if (copy?.owner !== child) return null;
    copy.owner = null;
    return copy.socket;
  }

  /** `child` closed the connection: so does the supervisor's copy, the last one. */
  closed(child: ServerProcess, id: number): void {
    const copy = this.#byId.get(id);
    if (copy?.owner === child) this.#close(copy);
  }

  /** A process that exited has ended its connections, mid-request or not: their copies go too. */
  exited(child: ServerProcess): void {
    for (const copy of this.#byId.values()) if (copy.owner === child) this.#close(copy);
  }

  /** A connection the process could not take is the supervisor's again (returned, to be passed on). */
  undelivered(socket: Socket): Socket {
    const copy = this.#bySocket.get(socket);
    if (copy) copy.owner = null;
    return socket;
  }

  /** Forgets `socket` without closing it: the supervisor serves it itself (the failure page). */
  forget(socket: Socket): void {
    const copy = this.#bySocket.get(socket);
    if (copy === undefined) return;
    this.#byId.delete(copy.id);
    this.#bySocket.delete(socket);
  }

  /** Closes every copy (the supervisor stops). */
  closeAll(): void {
    for (const copy of this.#byId.values()) this.#close(copy);
  }

  #close(copy: Copy): void {
    this.#byId.delete(copy.id);
    this.#bySocket.delete(copy.socket);
    copy.socket.destroy();
  }
}
