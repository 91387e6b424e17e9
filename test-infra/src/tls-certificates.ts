import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceContext } from './service.js';

// A throwaway PKI for servers' TLS listeners: a CA, a server certificate for 127.0.0.1 and localhost,
// and a client certificate for mutual TLS, all signed by that CA and made with the `openssl` command
// (Debian package `openssl`). EC P-256 keys: generated in milliseconds, accepted by OpenSSL servers
// and Node's TLS alike.

export interface TlsFiles {
  /** PEM of the CA certificate: what a client trusts to verify the server, and the server to verify clients. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** PEM of a client certificate the CA signed (CN `sluice-test-client`), for mutual TLS. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** Where generateTlsFiles writes, inside `dir`: known before the files exist (a service's info() needs them). */
export function tlsFilePaths(dir: string): TlsFiles {
  return {
    caFile: path.join(dir, 'ca.pem'),
    serverCertFile: path.join(dir, 'server.pem'),
    serverKeyFile: path.join(dir, 'server.key'),
    clientCertFile: path.join(dir, 'client.pem'),
    clientKeyFile: path.join(dir, 'client.key'),
  };
}

export const TLS_CLIENT_NAME = 'sluice-test-client';

// One config for every step: `req` needs a [req] section; each certificate kind is an extensions section.
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

const DAYS = '3650';

/** Writes a new CA, server and client certificate (with their keys) into `dir`, replacing any there. */
export async function generateTlsFiles(ctx: ServiceContext, dir: string): Promise<TlsFiles> {
  const files = tlsFilePaths(dir);
  const caKey = path.join(dir, 'ca.key');
  await mkdir(dir, { recursive: true });
  const config = path.join(dir, 'openssl.cnf');
  await writeFile(config, OPENSSL_CONFIG);
  const openssl = (...args: string[]) => ctx.run('openssl', args, { cwd: dir });
  const newKey = (file: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file);
  const sign = async (kind: 'server' | 'client', cn: string, key: string, cert: string) => {
    const csr = path.join(dir, `${kind}.csr`);
    await newKey(key);
    await openssl('req', '-new', '-config', config, '-key', key, '-subj', `/CN=${cn}`, '-out', csr);
    await openssl(
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      files.caFile,
      '-CAkey',
      caKey,
      // A random serial: a client that cached an earlier run's certificate must not see a clash.
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      DAYS,
      '-extfile',
      config,
      '-extensions',
      kind,
      '-out',
      cert,
    );
    await rm(csr);
  };

  await newKey(caKey);
  await openssl(
    'req',
    '-new',
    '-x509',
    '-config',
    config,
    '-extensions',
    'ca',
    '-key',
    caKey,
    '-subj',
    '/CN=Sluice test CA',
    '-days',
    DAYS,
    '-out',
    files.caFile,
  );
  await sign('server', '127.0.0.1', files.serverKeyFile, files.serverCertFile);
  await sign('client', TLS_CLIENT_NAME, files.clientKeyFile, files.clientCertFile);
  return files;
}
