// A throwaway certificate for tests that speak TLS, made with selfsigned as runserver --https makes its own.
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

export interface TestCertificate {
  cert: string;
  key: string;
}

/** A self-signed certificate for `names` (DNS names, or IP addresses), valid for a day. */
export async function makeCertificate(names: string[] = ['localhost', '127.0.0.1']): Promise<TestCertificate> {
  const altNames = names.map((name) => (/^[\d.]+$|:/.test(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name }));
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames }],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface HttpsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server presented. */
  peer: X509Certificate;
}

/** One GET over TLS on a fresh connection, trusting `ca` (the server's self-signed certificate). */
export function httpsGet(port: number, urlPath: string, options: { ca?: string; host?: string; servername?: string; timeout?: number } = {}): Promise<HttpsReply> {
  const { ca, host = '127.0.0.1', servername, timeout = 5000 } = options;
  return new Promise((resolve, reject) => {
    const req = https.get({ host, port, path: urlPath, agent: false, ca, rejectUnauthorized: ca !== undefined, servername, timeout }, (res) => {
      const peer = new X509Certificate((res.socket as TLSSocket).getPeerCertificate().raw);
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeout} ms`)));
    req.on('error', reject);
  });
}
