// The self-signed certificate of runserver --https: where it is kept, what it names, and when it is made anew.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certificateFolder, selfSignedCertificate } from '../../src/runserver/self-signed.js';
import { makeCertificate } from '../helpers/certificate.js';

let cache: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  cache = mkdtempSync(path.join(os.tmpdir(), 'gwi-cache-'));
  env = { XDG_CACHE_HOME: cache };
});

afterEach(() => rmSync(cache, { recursive: true, force: true }));

describe('certificateFolder', () => {
  it('is gwi/https in XDG_CACHE_HOME, else in ~/.cache', () => {
    expect(certificateFolder({ XDG_CACHE_HOME: '/var/cache/me' })).toBe(path.join('/var/cache/me', 'gwi', 'https'));
    expect(certificateFolder({})).toBe(path.join(os.homedir(), '.cache', 'gwi', 'https'));
    // The XDG spec ignores a relative path.
    expect(certificateFolder({ XDG_CACHE_HOME: 'relative' })).toBe(path.join(os.homedir(), '.cache', 'gwi', 'https'));
  });
});

describe('selfSignedCertificate', () => {
  it('makes a certificate for localhost, 127.0.0.1 and ::1, its key readable by the user alone', async () => {
    const made = await selfSignedCertificate(env);
    expect(made.made).toBe(true);
    expect(made.certFile).toBe(path.join(cache, 'gwi', 'https', 'localhost.pem'));
    expect(made.keyFile).toBe(path.join(cache, 'gwi', 'https', 'localhost-key.pem'));
    expect(readFileSync(made.certFile, 'utf8')).toBe(made.cert);
    expect(statSync(made.keyFile).mode & 0o777).toBe(0o600);
    const x509 = new X509Certificate(made.cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('::1')).toBe('::1');
    const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(820);
    expect(days).toBeLessThanOrEqual(825);
  });

  it('reuses it on the next run', async () => {
    const first = await selfSignedCertificate(env);
    const second = await selfSignedCertificate(env);
    expect(second.made).toBe(false);
    expect(new X509Certificate(second.cert).fingerprint256).toBe(new X509Certificate(first.cert).fingerprint256);
  });

  it('makes it anew when a file is missing or unreadable, the key is not its own, or it ends within 30 days', async () => {
    const first = await selfSignedCertificate(env);
    const fingerprint = (cert: string): string => new X509Certificate(cert).fingerprint256;
    const seen = new Set([fingerprint(first.cert)]);
    const expectNew = async (): Promise<void> => {
      const next = await selfSignedCertificate(env);
      expect(next.made).toBe(true);
      expect(seen.has(fingerprint(next.cert))).toBe(false);
      seen.add(fingerprint(next.cert));
    };
    rmSync(first.keyFile);
    await expectNew();
    writeFileSync(first.certFile, 'not a certificate');
    await expectNew();
    const other = await makeCertificate(['localhost']);
    writeFileSync(first.keyFile, other.key);
    await expectNew();
    // A day left (makeCertificate's are valid for one).
    writeFileSync(first.certFile, other.cert);
    writeFileSync(first.keyFile, other.key);
    await expectNew();
    expect((await selfSignedCertificate(env)).made).toBe(false);
  });
});
