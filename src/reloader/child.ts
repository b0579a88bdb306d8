// The reloader's server process (Django's RUN_MAIN child): started ahead as a standby (Node up, tsx
// registered, gwi imported), it loads the project when the supervisor says so, then serves the
// connections the supervisor hands over, or reports why the project did not load and exits.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SetupError } from '../runserver/errors.js';
import { startTranspiler } from '../runserver/loader.js';
import { innerRun, prepareRunserver } from '../runserver/inner-run.js';
import { settings } from '../framework/conf/settings.js';
import { loadFailureResponse, type ErrorWhere } from '../framework/debug/load-failure.js';
import { errorLocation } from '../framework/utils/module-loading.js';
import { CONNECTION_IDLE, lastResponse, responsesUnderWay, type GwiServer } from '../server/gwi-server.js';
import { pageOf } from './failure-page.js';
import { COMING_REQUEST_MS, graceMs, type LoadOptions, type ServerProcessMessage, type SupervisorMessage } from './protocol.js';
import { watchForOrphaning } from './watchdog.js';

/** Whether this process is a server process started by the reloader (RUN_MAIN=true, with an IPC channel). */
export function isReloaderChild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RUN_MAIN === 'true' && process.send !== undefined;
}

/** Where a load failure points into the user's code: the first error of the cause chain that says. */
export function failureWhere(error: unknown): ErrorWhere {
  for (let current = error, depth = 0; current !== undefined && depth < 10; depth++) {
    const location = errorLocation(current) ?? '';
    const match = /^(.+):(\d+):\d+$/.exec(location) ?? /^(.+):(\d+)$/.exec(location);
    if (match) return { file: match[1] as string, line: Number(match[2]) };
    current = current instanceof Error ? current.cause : undefined;
  }
  return {};
}

interface Connection {
  accepted: number;
  /** socket.bytesRead when its last response ended: more means a request is arriving. */
  readWhenIdle: number;
}

/**
 * The connections of a server that never listens, and which of them are busy (the server's own count of
 * responses under way, so no request pays for a second one): a stop ends the idle ones at once, gives a
 * request on its way (a connection just handed over, or bytes arrived) time to come, and lets each busy
 * one finish its response, then closes it.
 */
class Connections {
  readonly #open = new Map<Socket, Connection>();
  readonly #server: Server;
  #draining = false;
  #drained: (() => void) | null = null;

  constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      const connection: Connection = { accepted: Date.now(), readWhenIdle: 0 };
      this.#open.set(socket, connection);
      socket.on(CONNECTION_IDLE, () => {
        connection.readWhenIdle = socket.bytesRead;
        if (this.#draining) socket.end();
      });
      socket.once('close', () => {
        this.#open.delete(socket);
        this.#checkDrained();
      });
      // Handed over just as the stop came: its request is served, or it is closed.
      if (this.#draining) this.#endLaterIfIdle(socket);
    });
  }

  /** Resolves when every connection is closed. */
  drain(): Promise<void> {
    this.#draining = true;
    // From now on every response is the last on its connection (before the server's own listeners).
    const closing = (_req: IncomingMessage, res: ServerResponse): void => {
      res.shouldKeepAlive = false;
    };
    this.#server.prependListener('request', closing);
    this.#server.prependListener('checkContinue', closing);
    for (const [socket, connection] of this.#open) {
      if (responsesUnderWay(socket) > 0) {
        const last = lastResponse(socket);
        if (last) last.shouldKeepAlive = false;
        continue;
      }
      const arriving = socket.bytesRead > connection.readWhenIdle;
      const justAccepted = socket.bytesRead === 0 && Date.now() - connection.accepted < COMING_REQUEST_MS;
      if (arriving || justAccepted) this.#endLaterIfIdle(socket);
      else socket.end();
    }
    return new Promise((resolve) => {
      this.#drained = resolve;
      this.#checkDrained();
    });
  }

  /** Gives a request that may be coming time to arrive; then the connection ends unless a response is under way. */
  #endLaterIfIdle(socket: Socket): void {
    setTimeout(() => {
      if (this.#open.has(socket) && responsesUnderWay(socket) === 0) socket.end();
    }, COMING_REQUEST_MS).unref();
  }

  #checkDrained(): void {
    if (this.#draining && this.#open.size === 0) this.#drained?.();
  }
}

type Phase = 'standby' | 'loading' | 'serving' | 'stopping';

class ReloaderChild {
  readonly #reportError: (error: unknown) => void;
  readonly #stop = new AbortController();
  #phase: Phase = 'standby';
  #server: GwiServer | null = null;
  #connections: Connections | null = null;

  constructor(reportError: (error: unknown) => void) {
    this.#reportError = reportError;
    process.on('message', (message: SupervisorMessage, handle?: Socket) => this.#onMessage(message, handle));
    // The supervisor closes the channel to stop this process, or is gone: either way, finish and exit.
    process.on('disconnect', () => void this.stop());
    process.on('SIGTERM', () => void this.stop());
  }

  standby(): void {
    this.#send({ type: 'standby' });
  }

  /** Ends idle connections, lets the busy ones finish (at most the grace period), exits 0. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopping') return;
    const serving = this.#phase === 'serving';
    this.#phase = 'stopping';
    if (!serving || !this.#connections) process.exit(0);
    setTimeout(() => process.exit(0), graceMs()).unref();
    await this.#connections.drain();
    // run() returns, and #load() exits.
    this.#stop.abort();
  }

  #onMessage(message: SupervisorMessage, handle: Socket | undefined): void {
    if (message.type === 'load' && this.#phase === 'standby') {
      this.#phase = 'loading';
      void this.#load(message.options, message.port);
    } else if (message.type === 'connection' && handle) {
      if (this.#server) this.#server.acceptConnection(handle);
      else handle.destroy();
    }
  }

  async #load(options: LoadOptions, port: number): Promise<void> {
    const runOptions = { ...options, signal: this.#stop.signal };
    try {
      const addrport = await prepareRunserver(runOptions);
      // As Django's autoreloader logs it, before the checks.
      if (settings.DEBUG) process.stderr.write('Watching for file changes with chokidar\n');
      // The supervisor's real port: the banner and SERVER_PORT must not say 0.
      await innerRun({ ...addrport, port }, runOptions, { listen: false, onBind: (_port, server) => this.#serve(server) });
    } catch (error) {
      this.#fail(error);
      return;
    }
    process.exit(0);
  }

  #serve(server: GwiServer): void {
    if (this.#phase !== 'loading') return;
    this.#phase = 'serving';
    this.#server = server;
    this.#connections = new Connections(server.httpServer);
    server.httpServer.once('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.once('close', () => {
        // Nothing to say once the supervisor is gone (a stop under way).
        if (process.connected) this.#send({ type: 'served' });
      });
    });
    this.#send({ type: 'ready', debug: settings.DEBUG });
  }

  /** Tells the error once on stderr, sends the supervisor the page to answer with, and exits. */
  #fail(error: unknown): void {
    this.#reportError(error);
    if (this.#phase === 'serving') process.exit(1);
    const page = pageOf(loadFailureResponse(error, failureWhere(error)));
    this.#send({ type: 'failed', setup: error instanceof SetupError, ...page }, () => process.exit(1));
  }

  #send(message: ServerProcessMessage, then?: () => void): void {
    if (!process.connected) process.exit(0);
    (process.send as NonNullable<typeof process.send>)(message, undefined, undefined, () => then?.());
  }
}

/**
 * Runs this process as a server process: registers the loaders, imports gwi, and waits for the
 * supervisor's `load`. `reportError` prints an error as the CLI does.
 */
export async function runReloaderChild(reportError: (error: unknown) => void): Promise<void> {
  // A second past the grace period its own stop is given.
  watchForOrphaning(graceMs() + 1000);
  await startTranspiler();
  // What the project imports as `gwi`: loaded now, so that a reload only imports the project itself.
  await import(import.meta.resolve('gwi'));
  new ReloaderChild(reportError).standby();
}
