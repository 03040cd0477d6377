/**
 * The push fakes' HTTPS: a self-signed EC certificate for 127.0.0.1 (valid one day), made with Debian's
 * openssl, which the provider under test trusts as its CA (`caFile`).
 */
import { execFileSync } from 'node:child_process';

/** Writes the key and the certificate to the given files. */
export function writeLocalhostCertificate(files: { keyFile: string; certFile: string }): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      files.keyFile,
      '-out',
      files.certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
}
