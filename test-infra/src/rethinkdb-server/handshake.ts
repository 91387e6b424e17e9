import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { PROTOCOL_VERSION } from './protocol.js';

// The V1_0 handshake after the magic number: null-terminated JSON messages carrying SCRAM-SHA-256
// (RFC 5802/7677), exactly as RethinkDB 2.3+ and its official drivers run it.

/** Reply to the magic number: which JSON protocol versions this server speaks. */
export const SERVER_HELLO = {
  success: true,
  min_protocol_version: PROTOCOL_VERSION,
  max_protocol_version: PROTOCOL_VERSION,
  server_version: '2.4.4-sluice-test-double',
};

/** RethinkDB's handshake error codes 10..20 make drivers raise ReqlAuthError. */
const AUTH_ERROR = 12;
const ITERATIONS = 4096;

export interface HandshakeStep {
  /** The JSON object to send back, null-terminated. */
  reply: object;
  /** The client is authenticated: queries follow. */
  authenticated: boolean;
  /** Close the connection after the reply. */
  fail: boolean;
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

function attributes(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

/** One connection's SCRAM exchange: client-first → server-first, client-final → server-final. */
export class ScramHandshake {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private saltedPassword = Buffer.alloc(0);
  private knownUser = false;

  /** `passwords` maps user names to passwords (RethinkDB's admin has '' until one is set). */
  constructor(private readonly passwords: ReadonlyMap<string, string>) {}

  step(message: string): HandshakeStep {
    let json: { protocol_version?: number; authentication_method?: string; authentication?: string };
    try {
      json = JSON.parse(message);
    } catch {
      return this.failure(`Expected a JSON handshake message, got: ${message.slice(0, 80)}`, 1);
    }
    return this.clientFirstBare === '' ? this.first(json) : this.final(json);
  }

  private first(json: {
    protocol_version?: number;
    authentication_method?: string;
    authentication?: string;
  }) {
    if (json.protocol_version !== PROTOCOL_VERSION) {
      return this.failure(
        `Unsupported protocol version ${json.protocol_version}, expected ${PROTOCOL_VERSION}.`,
        3,
      );
    }
    if (json.authentication_method !== 'SCRAM-SHA-256') {
      return this.failure(`Unsupported authentication method ${json.authentication_method}.`, 3);
    }
    const auth = json.authentication ?? '';
    if (!auth.startsWith('n,,')) return this.failure('Channel binding is not supported.', AUTH_ERROR);
    this.clientFirstBare = auth.slice(3);
    const attrs = attributes(this.clientFirstBare);
    const user = attrs.get('n') ?? '';
    const clientNonce = attrs.get('r') ?? '';
    if (!clientNonce) return this.failure('Missing client nonce.', AUTH_ERROR);
    // An unknown user gets a made-up salt and fails at the proof, like the real server: no user probing.
    const password = this.passwords.get(user);
    this.knownUser = password !== undefined;
    const salt = randomBytes(16);
    this.saltedPassword = pbkdf2Sync(
      password ?? randomBytes(16).toString('hex'),
      salt,
      ITERATIONS,
      32,
      'sha256',
    );
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${ITERATIONS}`;
    return { reply: { success: true, authentication: this.serverFirst }, authenticated: false, fail: false };
  }

  private final(json: { authentication?: string }) {
    const clientFinal = json.authentication ?? '';
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) return this.failure('Missing client proof.', AUTH_ERROR);
    const withoutProof = clientFinal.slice(0, proofAt);
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    if (attributes(withoutProof).get('r') !== this.nonce) return this.failure('Invalid nonce.', AUTH_ERROR);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientKey = hmac(this.saltedPassword, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const signature = hmac(storedKey, authMessage);
    const recovered = Buffer.from(proof.map((b, i) => b ^ (signature[i] ?? 0)));
    const expected = createHash('sha256').update(recovered).digest();
    if (!this.knownUser || proof.length !== 32 || !timingSafeEqual(expected, storedKey)) {
      return this.failure('Wrong password', AUTH_ERROR);
    }
    const serverSignature = hmac(hmac(this.saltedPassword, 'Server Key'), authMessage);
    return {
      reply: { success: true, authentication: `v=${serverSignature.toString('base64')}` },
      authenticated: true,
      fail: false,
    };
  }

  private failure(error: string, code: number): HandshakeStep {
    return { reply: { success: false, error, error_code: code }, authenticated: false, fail: true };
  }
}
