// The self-signed certificate of `runserver --https`, for localhost, 127.0.0.1 and ::1: made on first use
// and kept in the user's cache folder (never in the project), so a browser's exception survives restarts.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TlsCredentials } from '../server/tls-termination.js';

/** The names the certificate is for: what a browser on this machine calls a local server. */
export const SELF_SIGNED_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

const DAY_MS = 86_400_000;
/** Apple's limit for any TLS server certificate (mkcert's too): a longer one is refused on macOS and iOS. */
const VALID_DAYS = 825;
/** A certificate this close to its end is made anew, not served until a browser refuses it. */
const RENEW_DAYS = 30;

export interface SelfSignedCertificate extends TlsCredentials {
  certFile: string;
  keyFile: string;
  /** Made by this call (else read from the cache). */
  made: boolean;
}

/** `$XDG_CACHE_HOME/gwi/https`, else `~/.cache/gwi/https`. */
export function certificateFolder(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cache, 'gwi', 'https');
}

/**
 * The certificate in the cache folder, or a new one there when it is missing, unreadable, not the
 * key's, or ending within 30 days.
 */
export async function selfSignedCertificate(env: NodeJS.ProcessEnv = process.env): Promise<SelfSignedCertificate> {
  const folder = certificateFolder(env);
  const certFile = path.join(folder, 'localhost.pem');
  const keyFile = path.join(folder, 'localhost-key.pem');
  const cached = await readCached(certFile, keyFile);
  if (cached) return { ...cached, certFile, keyFile, made: false };
  const made = await generate();
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await writeNew(keyFile, made.key, 0o600);
  await writeNew(certFile, made.cert, 0o644);
  return { ...made, certFile, keyFile, made: true };
}

async function readCached(certFile: string, keyFile: string): Promise<TlsCredentials | null> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    // node:crypto only here, with --https: the supervisor needs it for nothing else.
    const { createPrivateKey, X509Certificate } = process.getBuiltinModule('node:crypto');
    const x509 = new X509Certificate(cert);
    const usable = Date.parse(x509.validTo) - Date.now() > RENEW_DAYS * DAY_MS && x509.checkPrivateKey(createPrivateKey(key));
    return usable ? { cert, key } : null;
  } catch {
    return null;
  }
}

async function generate(): Promise<TlsCredentials> {
  // Only --https needs it: loaded here, not with runserver.
  const { generate: selfsigned } = await import('selfsigned');
  const notBeforeDate = new Date();
  const pems = await selfsigned([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALID_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: SELF_SIGNED_NAMES.map((name) => (name === 'localhost' ? { type: 2, value: name } : { type: 7, ip: name })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * Writes a new file under `file`'s name: a run reading it meanwhile sees the old file or the new one,
 * never a part, and the mode is the new file's whatever the old one had.
 */
async function writeNew(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, file);
}
