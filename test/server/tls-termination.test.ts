// The reference server with `tls`: TLS ended in the server on the connections it binds or is handed,
// an https environ, and plain HTTP sent to it answered with a 400 and Django's line, mirrored.
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/gateway/types.js';
import { ServerLog } from '../../src/log/server-log.js';
import { makeStyle } from '../../src/log/termcolors.js';
import { makeServer } from '../../src/server/gwi-server.js';
import { makeCertificate, httpsGet, type TestCertificate } from '../helpers/certificate.js';
import { rawRequest, serve, STAMP, waitFor, type Served } from '../helpers/serve.js';

const echoScheme: Application = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  const keys = ['gwi.url_scheme', 'HTTPS', 'SERVER_PORT', 'REMOTE_ADDR'] as const;
  return [Buffer.from(keys.map((key) => `${key}=${String(environ[key])}`).join('\n'))];
};

let certificate: TestCertificate;
let served: Served | null = null;

beforeAll(async () => {
  certificate = await makeCertificate();
});

afterEach(async () => {
  await served?.close();
  served = null;
});

describe('GwiServer with tls', () => {
  it('serves HTTPS on the port it binds, with an https environ', async () => {
    served = await serve(echoScheme, { tls: certificate });
    expect(served.server.secure).toBe(true);
    const reply = await httpsGet(served.port, '/', { ca: certificate.cert });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(`gwi.url_scheme=https\nHTTPS=on\nSERVER_PORT=${served.port}\nREMOTE_ADDR=127.0.0.1`);
    await waitFor(() => served?.log().includes('"GET / HTTP/1.1" 200') === true);
  });

  it('answers plain HTTP with a 400 saying to use https, logged as the mirror of Django\'s HTTPS line', async () => {
    served = await serve(echoScheme, { tls: certificate });
    const answer = (await rawRequest(served, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Plain HTTP sent to an HTTPS server\r\n/);
    expect(answer).toContain('Connection: close\r\n');
    expect(answer).toContain('This development server only supports HTTPS: use an https:// address.');
    await waitFor(() => served?.log() !== '');
    expect(served.log()).toBe(`${STAMP} You're accessing the development server over HTTP, but it only supports HTTPS.\n`);
    // The server goes on.
    expect((await httpsGet(served.port, '/', { ca: certificate.cert })).status).toBe(200);
  });

  it('closes a connection whose handshake fails without a word, and one that says nothing after its timeout', async () => {
    served = await serve(echoScheme, { tls: certificate, headersTimeout: 200 });
    await expect(httpsGet(served.port, '/', { ca: (await makeCertificate()).cert })).rejects.toThrow(/self.signed/);
    const silent = net.connect(served.port, '127.0.0.1');
    const closed = await new Promise<number>((resolve) => {
      const start = Date.now();
      silent.on('close', () => resolve(Date.now() - start));
      silent.on('error', () => {});
    });
    expect(closed).toBeLessThan(2000);
    expect(served.log()).toBe('');
    expect(served.stderr()).toBe('');
  });

  it('ends TLS on connections handed over (listen: false), telling the caller the socket it serves', async () => {
    const log = new ServerLog({ stream: { write: () => true }, style: makeStyle(null) });
    const server = await makeServer('127.0.0.1', 0, echoScheme, { listen: false, tls: certificate, log });
    const loop = server.serveForever({ pollInterval: 0.05 });
    const connections: net.Socket[] = [];
    const listener = net.createServer({ pauseOnConnect: true }, (socket) => server.acceptConnection(socket, (connection) => connections.push(connection)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as net.AddressInfo;
      const reply = await httpsGet(port, '/', { ca: certificate.cert });
      expect(reply.body).toMatch(/^gwi\.url_scheme=https\nHTTPS=on\n/);
      expect(connections).toHaveLength(1);
      expect(connections[0]).toBeInstanceOf(tls.TLSSocket);
    } finally {
      listener.close();
      await server.shutdown();
      await loop;
      await server.serverClose();
    }
  });

  it('closes the connections still in their handshake when it closes', async () => {
    served = await serve(echoScheme, { tls: certificate });
    const socket = net.connect(served.port, '127.0.0.1');
    socket.on('error', () => {});
    // A ClientHello's first bytes, and no more.
    await new Promise<void>((resolve) => socket.once('connect', () => socket.write(Buffer.from([0x16, 0x03, 0x01]), () => resolve())));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await served.close();
    served = null;
    await closed;
  });
});
