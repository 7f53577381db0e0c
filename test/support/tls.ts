// Throwaway certificates for the tests that speak TLS to a server of their own, made by openssl in `dir`:
// a self-signed one (API over HTTPS, agent reports, SMTP STARTTLS: EC P-256, valid one day), and a private
// CA with server certificates it signs (HTTPS sinks, syslog over TLS: RSA 2048, valid two days).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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

export interface TestCertificateAuthority {
  /** The CA's certificate (PEM), what a client is told to trust. */
  readonly caFile: string;
  /** A server certificate the CA signs, key and certificate as `<name>.key` and `<name>.pem`. */
  issueServer(name: string, cn: string, altNames: readonly string[]): TestCertificate;
}

/** A private CA in `dir` (ca.key, ca.pem) whose subject common name is `cn`. */
export function certificateAuthority(dir: string, cn: string): TestCertificateAuthority {
  const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  return {
    caFile: join(dir, 'ca.pem'),
    issueServer(name, leafCn, altNames) {
      ossl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${leafCn}`,
      );
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=${altNames.join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
      );
      ossl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      );
      return { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.pem`) };
    },
  };
}
