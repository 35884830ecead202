/**
 * A TLS front for the dev server (which speaks only plaintext), as a production cluster or
 * Temporal Cloud presents one: HTTP/2 over TLS with a certificate from a test CA, optionally
 * requiring a client certificate (mTLS) and an API key (`authorization: Bearer <key>`), each
 * gRPC call forwarded to the dev server. Certificates come from openssl, made per run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TestPki {
  dir: string;
  caPath: string;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCertPath: string;
  clientKeyPath: string;
  ca: Buffer;
}

/** A CA, a server certificate for 127.0.0.1 and localhost, and a client certificate. */
export async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-pki-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => exec('openssl', args, { cwd: dir });
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=orchestra test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  for (const who of ['server', 'client']) {
    await ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who}`,
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
    );
    const ext =
      who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost' : 'extendedKeyUsage=clientAuth';
    await writeFile(f(`${who}.ext`), `${ext}\n`);
    await ssl(
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${who}.ext`),
      '-out',
      f(`${who}.pem`),
    );
  }
  return {
    dir,
    caPath: f('ca.pem'),
    ca: await readFile(f('ca.pem')),
    serverCert: await readFile(f('server.pem')),
    serverKey: await readFile(f('server.key')),
    clientCertPath: f('client.pem'),
    clientKeyPath: f('client.key'),
  };
}

export interface TlsProxy {
  address: string;
  /** Calls refused for a missing or wrong API key. */
  refused: number;
  close(): Promise<void>;
}

export async function startTlsProxy(
  upstream: string,
  pki: TestPki,
  options: { mtls?: boolean; apiKey?: string } = {},
): Promise<TlsProxy> {
  const target = http2.connect(`http://${upstream}`);
  target.on('error', () => undefined);
  const state = { refused: 0 };
  const server = http2.createSecureServer({
    key: pki.serverKey,
    cert: pki.serverCert,
    ca: pki.ca,
    requestCert: Boolean(options.mtls),
    rejectUnauthorized: Boolean(options.mtls),
    ALPNProtocols: ['h2'],
  });
  const open = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    open.add(session);
    session.on('close', () => open.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (options.apiKey && headers.authorization !== `Bearer ${options.apiKey}`) {
      state.refused++;
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16',
          'grpc-message': 'missing or wrong API key',
        },
        { endStream: true },
      );
      return;
    }
    const forwarded = { ...headers };
    for (const h of [':scheme', ':authority', ':method', ':path']) delete forwarded[h];
    const call = target.request({
      ...forwarded,
      ':method': headers[':method'],
      ':path': headers[':path'],
    });
    call.on('error', () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('close', () => call.close());
    let trailers: http2.OutgoingHttpHeaders = {};
    call.on('response', (responseHeaders, flags) => {
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      // A trailers-only answer (an error at once) stays one.
      if (endStream) return stream.respond(responseHeaders, { endStream: true });
      stream.respond(responseHeaders, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      call.pipe(stream);
    });
    call.on('trailers', (t) => {
      trailers = t;
    });
    stream.pipe(call);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        target.close();
        server.close(() => resolve());
        for (const session of open) session.destroy();
      }),
  };
}
