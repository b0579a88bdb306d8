// HTTPS for runserver (django-extensions' runserver_plus options): the certificate it serves with, the
// user's own (--cert-file and --key-file) or, with --https, the self-signed one for localhost.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TlsCredentials } from '../server/tls-termination.js';
import { CommandError } from './errors.js';
import type { Output, RunserverOptions } from './options.js';
import { SELF_SIGNED_NAMES, selfSignedCertificate } from './self-signed.js';

/** The certificate and key runserver serves with, and the files they were read from. */
export interface Certificate extends TlsCredentials {
  certFile: string;
  keyFile: string;
}

/** `no such file or directory` out of node's `ENOENT: no such file or directory, open 'x.pem'`. */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
}

async function readPem(option: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CommandError(`Cannot read the ${option} ${file}: ${reason(err)}.`, { cause: err });
  }
}

/** The user's certificate and key: a CommandError names the file that cannot be read, or why they do not go together. */
async function readCertificate(certFile: string, keyFile: string): Promise<Certificate> {
  const [cert, key] = await Promise.all([readPem('--cert-file', certFile), readPem('--key-file', keyFile)]);
  try {
    process.getBuiltinModule('node:tls').createSecureContext({ cert, key });
  } catch (err) {
    throw new CommandError(`--cert-file ${certFile} and --key-file ${keyFile} are not a certificate and its key: ${reason(err)}.`, { cause: err });
  }
  // Absolute: the server processes of the reloader read them again.
  return { cert, key, certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

/**
 * The certificate to serve HTTPS with, or null for HTTP. --https alone makes (or reuses) the self-signed
 * one, and says where it is on `stdout`.
 */
export async function loadCertificate(options: RunserverOptions, stdout: Output): Promise<Certificate | null> {
  const { certFile, keyFile } = options;
  if (certFile || keyFile) {
    if (!certFile || !keyFile) {
      throw new CommandError('--cert-file and --key-file go together: give both, or --https alone for a self-signed certificate.');
    }
    return readCertificate(certFile, keyFile);
  }
  if (!options.useHttps) return null;
  const certificate = await selfSignedCertificate(options.env);
  const names = `${SELF_SIGNED_NAMES.slice(0, -1).join(', ')} and ${SELF_SIGNED_NAMES.at(-1)}`;
  stdout.write(`${certificate.made ? 'Made a' : 'Using the'} self-signed certificate for ${names}: ${certificate.certFile}\n`);
  return certificate;
}
