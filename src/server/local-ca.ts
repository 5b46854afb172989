/**
 * A local certificate authority for Nimbus's TLS listener, kept in the data directory
 * (`<dataDir>/tls/`): made once with the system's `openssl` (P-256 keys), then reused, so the
 * CA a client or function environment trusts stays the same across restarts. The server
 * certificate names `localhost`, `*.localhost`, `*.execute-api.localhost`,
 * `*.execute-api.<region>.localhost`, 127.0.0.1 and ::1: what AWS SDK clients built as
 * `https://${domainName}/${stage}` from a WebSocket API's event connect to.
 *
 * The CA's key never leaves the directory (mode 0700); functions get only the CA certificate.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../lib/log.js';

export interface LocalTls {
  /** The CA certificate (PEM) to trust: NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE. */
  caFile: string;
  key: Buffer;
  cert: Buffer;
}

export function localTls(dataDir: string, region: string, log: Logger): LocalTls | undefined {
  const dir = join(dataDir, 'tls');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server.key');
  const certFile = join(dir, 'server.pem');
  try {
    if (!existsSync(caFile) || !existsSync(keyFile) || !existsSync(certFile) || !sanCovers(certFile, region)) make(dir, region);
    return { caFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
  } catch (e) {
    log.warn('no TLS listener: could not make the local certificate authority (is openssl installed?)', { error: (e as Error).message.split('\n')[0] });
    return undefined;
  }
}

function sanCovers(certFile: string, region: string): boolean {
  return readFileSync(`${certFile}.names`, { encoding: 'utf8', flag: 'a+' }).trim() === names(region).join(',');
}

const names = (region: string) => ['DNS:localhost', 'DNS:*.localhost', 'DNS:*.execute-api.localhost', `DNS:*.execute-api.${region}.localhost`, 'IP:127.0.0.1', 'IP:::1'];

function make(dir: string, region: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Nimbus local CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${names(region).join(',')}\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '825', '-extfile', 'server.ext');
  writeFileSync(join(dir, 'server.pem.names'), names(region).join(','));
  for (const f of ['ca.key', 'server.key']) chmodSync(join(dir, f), 0o600);
}
