import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Optional HTTP basic auth on the REST listener (worker keys `rest.basic.auth.user` and
// `rest.basic.auth.password`). Credentials are compared as hashes in constant time and never logged.

export function basicAuthHook(user: string, password: string) {
  const expected = digest(`${user}:${password}`);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : null;
    if (given !== null && timingSafeEqual(digest(given), expected)) return;
    await reply
      .code(401)
      .header('WWW-Authenticate', 'Basic realm="sluice", charset="UTF-8"')
      .type('application/json')
      .send({
        error_code: 401,
        message: 'Authentication required: send HTTP basic auth credentials (rest.basic.auth.user)',
      });
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
