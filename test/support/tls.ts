// A throwaway self-signed certificate for the tests that speak TLS to a server of their own (API over
// HTTPS, agent reports, SMTP STARTTLS): EC P-256, valid one day, made by openssl in `dir`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface TestCertificate {
  readonly keyFile: string;
  readonly certFile: string;
}

/** `cn` is the subject's common name; `altNames` the subjectAltName entries, e.g. ['IP:127.0.0.1']. */
export function selfSignedCertificate(dir: string, cn: string, altNames: readonly string[]): TestCertificate {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
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
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${altNames.join(',')}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe', timeout: 30_000 },
  );
  return { keyFile, certFile };
}
