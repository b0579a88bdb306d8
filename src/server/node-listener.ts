// toNodeListener: a GWI application as a node:http request listener, so it runs under any Node HTTP
// server (http, https, node:cluster workers, a process manager) with the reference server's request path.
import type { Cluster } from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { StreamErrors } from '../gateway/error-stream.js';
import type { Application } from '../gateway/types.js';
import { ServerLog } from '../log/server-log.js';
import { makeBaseEnviron, type BaseEnviron } from './environ.js';
import { endUnfinished, makeHandler, reportRequestError } from './gwi-server.js';
import { SERVER_VERSION } from './software.js';
import type { HandlerContext } from './server-handler.js';

export interface NodeListenerOptions {
  /** Django's access log (`[time] "GET / HTTP/1.1" 200 13`); default none: production servers log elsewhere. */
  log?: ServerLog | null;
  /** Where tracebacks go; also `gwi.errors` (default process.stderr). */
  errorStream?: NodeJS.WritableStream;
  /** SERVER_NAME; default the request's Host without its port, else the local address it came in on. */
  serverName?: string;
  /** `gwi.multithread` (default true: a Node server runs requests concurrently). */
  multithread?: boolean;
}

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The access log switched off: the handler logs unconditionally, this discards without formatting. */
class NoLog extends ServerLog {
  override logRequest(): void {}
  override logProtocolError(): void {}
  override logBrokenPipe(): void {}
}

// node:http's own marks on a response to `Expect: 100-continue` (stable since Node 0.x; the adapter's
// tests pin them). Without a 'checkContinue' listener node has already sent the 100 (`_sent100`).
interface ContinueMarks {
  _expect_continue?: boolean;
  _sent100?: boolean;
}

/** The host part of a Host header (`[::1]` keeps its brackets), or null when there is none. */
function hostName(host: string | undefined): string | null {
  if (!host) return null;
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : 0;
  const colon = host.indexOf(':', end);
  const name = colon < 0 ? host : host.slice(0, colon);
  return name === '' ? null : name;
}

/** The local address as a URL's host: `[::1]`, and `127.0.0.1` rather than `::ffff:127.0.0.1`. */
function localName(socket: Socket): string {
  const address = socket.localAddress;
  // A Unix socket has no address.
  if (!address) return 'localhost';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Serves `app` as a node:http request listener: `http.createServer(toNodeListener(app))`. Also attach it
 * to 'checkContinue' to send `100 Continue` only when the application reads the body, as runserver does.
 */
export function toNodeListener(app: Application, options: NodeListenerOptions = {}): NodeListener {
  const { serverName, multithread = true } = options;
  const errors = new StreamErrors(options.errorStream ?? process.stderr);
  const context: HandlerContext = {
    log: options.log ?? new NoLog({ stream: { write: () => true } }),
    errors,
    serverSoftware: SERVER_VERSION,
    closeConnection: false,
  };
  // Each node:cluster worker is a process of its own serving the same application. node:cluster is
  // loaded here, not by gwi's import: with child_process and dgram it is ~3 ms of every start. (Node
  // gives the module's CommonJS object, which the types call its default export.)
  const multiprocess = (process.getBuiltinModule('node:cluster') as unknown as Cluster).isWorker;
  // The base environ only changes with the local port (one per listening server).
  let base: BaseEnviron | null = null;
  let basePort = -1;

  return (req, res) => {
    const socket = req.socket;
    const secure = (socket as TLSSocket).encrypted === true;
    const port = socket.localPort ?? (secure ? 443 : 80);
    if (base === null || port !== basePort) {
      base = makeBaseEnviron(serverName ?? '', port);
      basePort = port;
    }
    // No 414/431/505 here: GwiServer applies Python http.server's limits so that runserver answers as
    // Django's does; under another Node server, framing and limits are that server's (maxHeaderSize,
    // timeouts, its clientError handler), set by whoever runs it.
    const marks = res as ServerResponse & ContinueMarks;
    const expectsContinue = marks._expect_continue === true && marks._sent100 !== true;
    const handler = makeHandler({ req, res, expectsContinue }, base, context, multithread, null);
    const environ = handler.environ;
    // The headers were read into the environ already: no need for node's lazily built req.headers.
    if (serverName === undefined) environ.SERVER_NAME = hostName(environ.HTTP_HOST) ?? localName(socket);
    if (multiprocess) environ['gwi.multiprocess'] = true;
    // What GwiServer's loop does after a request: a response left unfinished must not hang the connection.
    const served = handler.run(app);
    if (served === undefined) {
      endUnfinished(res);
      return;
    }
    served.then(
      () => endUnfinished(res),
      (err: unknown) => {
        reportRequestError(errors, socket, err);
        res.destroy();
      },
    );
  };
}
