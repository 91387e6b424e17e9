import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { ConnectException } from '../errors.js';
import { parseJaasConfig } from './client-config.js';

// A Kafka client that cannot connect because of its security settings gets one error that says which
// setting to fix, instead of a client library's connection error with its stack: the four usual
// mistakes are wrong credentials, a broker certificate the trust store does not vouch for, a missing
// or refused client certificate, and a broker name the certificate does not carry.

/** The client could not authenticate to, or establish TLS with, the brokers. Not retried. */
export class KafkaSecurityException extends ConnectException {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaSecurityException';
    // What to fix is in the message; frames of the client library would only bury it.
    this.stack = `${this.name}: ${message}`;
  }
}

/** Whether `e` is (or, from a consumer thread, was) a KafkaSecurityException. */
export function isKafkaSecurityError(e: unknown): boolean {
  return e instanceof Error && e.name === 'KafkaSecurityException';
}

/**
 * `wrapper` (an error whose message already carries a KafkaSecurityException's) without its stack and
 * cause: the one line says everything, frames would only bury it.
 */
export function asPlainError<T extends Error>(wrapper: T): T {
  wrapper.stack = `${wrapper.name}: ${wrapper.message}`;
  delete (wrapper as { cause?: unknown }).cause;
  return wrapper;
}

/** Every message of `e` and its causes (kafkajs nests the socket's error as `originalError`). */
function messages(e: unknown): string {
  const seen: string[] = [];
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 8; depth++) {
    seen.push(cur.message);
    const next = (cur as { originalError?: unknown }).originalError ?? cur.cause;
    cur = next;
  }
  return seen.join(' | ');
}

function saslUser(props: Record<string, string>): string {
  try {
    return parseJaasConfig(props['sasl.jaas.config'] ?? '').options['username'] ?? '?';
  } catch {
    return '?';
  }
}

/**
 * The KafkaSecurityException for a connection failure caused by the security settings `props`, or
 * `e` itself when it is something else (a broker that is down, a timeout).
 */
export function explainConnectError(e: unknown, props: Record<string, string>): unknown {
  // Already explained (on a consumer thread, whose errors arrive as plain Errors with their name).
  if (isKafkaSecurityError(e)) return new KafkaSecurityException((e as Error).message);
  const text = messages(e);
  const brokers = props['bootstrap.servers'] ?? 'localhost:9092';
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (/authentication failed|invalid username or password|invalid credentials/i.test(text)) {
    const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').toUpperCase();
    return new KafkaSecurityException(
      `SASL authentication failed at ${brokers}: the broker refused ${mechanism} credentials of user ` +
        `'${saslUser(props)}' (wrong password or unknown user); check sasl.jaas.config and sasl.mechanism`,
    );
  }
  if (/altname|hostname\/ip does not match|does not match certificate/i.test(text)) {
    return new KafkaSecurityException(
      `TLS to ${brokers}: the broker's certificate is not issued for the host name connected to ` +
        `(${detail(text)}); connect by a name the certificate carries, or set ` +
        `ssl.endpoint.identification.algorithm= (empty) to skip the host name check`,
    );
  }
  if (
    /self[- ]signed certificate|unable to (get local issuer|verify the first)|certificate verify failed|unable_to_get_issuer|self_signed_cert/i.test(
      text,
    )
  ) {
    return new KafkaSecurityException(
      `TLS to ${brokers}: the broker's certificate is not trusted (${detail(text)}); set ` +
        `ssl.truststore.location (or ssl.truststore.certificates) to the CA that signed it`,
    );
  }
  if (/alert (bad certificate|certificate required|handshake failure)|alert number (40|42|116)/i.test(text)) {
    const given = props['ssl.keystore.location'] || props['ssl.keystore.certificate.chain'];
    return new KafkaSecurityException(
      `TLS to ${brokers}: the broker requires a client certificate (mutual TLS) and ` +
        (given
          ? 'refused the one in the key store: is it signed by a CA the broker trusts?'
          : 'none was given: set ssl.keystore.location (or ssl.keystore.certificate.chain and ssl.keystore.key)'),
    );
  }
  if (protocol.endsWith('SSL') && /wrong version number|packet length too long/i.test(text)) {
    return new KafkaSecurityException(
      `TLS to ${brokers}: the listener does not speak TLS; check security.protocol (${protocol}) and the port`,
    );
  }
  return e;
}

/** The socket's own words, without the library's prefixes and OpenSSL's source locations. */
function detail(text: string): string {
  const last = text.split(' | ').pop() ?? text;
  return last.replace(/^Connection error: /, '').replace(/:\.\.\/deps\/openssl[^\s]*/g, '');
}

/**
 * One TLS handshake with the first bootstrap broker before the client library connects: a certificate
 * problem then fails at once with its explanation, instead of after the library's connection retries
 * (which log every attempt). Anything else (a broker that is down) is left to the library.
 */
export async function checkTlsHandshake(
  props: Record<string, string>,
  tls: ConnectionOptions,
): Promise<void> {
  const first = (props['bootstrap.servers'] ?? 'localhost:9092')
    .split(',')[0]!
    .trim()
    .replace(/^[A-Za-z_]+:\/\//, '');
  const at = first.lastIndexOf(':');
  const host = first.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(first.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return;
  const failure = await new Promise<Error | null>((resolve) => {
    const socket = connect({ host, port, servername: isIP(host) ? undefined : host, ...tls });
    let timer: NodeJS.Timeout | undefined;
    const done = (e: Error | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(e);
    };
    socket.setTimeout(10_000, () => done(null));
    socket.once('error', (e) => done(e));
    // TLS 1.3 finishes the client's side of the handshake before the broker checks the client's
    // certificate: its refusal arrives just after.
    socket.once('secureConnect', () => (timer = setTimeout(() => done(null), 500)));
    socket.once('close', () => done(null));
  });
  if (failure === null) return;
  const explained = explainConnectError(failure, props);
  if (explained instanceof KafkaSecurityException) throw explained;
}
