import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Catalog } from './catalog.js';
import { ReqlError } from './datum.js';
import { SERVER_HELLO, ScramHandshake } from './handshake.js';
import { ErrorType, QueryType, ResponseType, V1_0 } from './protocol.js';
import { isSequence, runQuery, type Term, toDatum, UnsupportedTermError } from './reql.js';

// The TCP side: magic number, handshake, then framed queries (8-byte token, 4-byte length, JSON),
// each answered in order on its connection. All connections share one in-memory catalog.

export interface TestServerOptions {
  host: string;
  port: number;
  /** Password of the `admin` user ('' like a fresh RethinkDB). */
  adminPassword: string;
  /** The databases to start with (from a data file); a fresh server's `test` database when absent. */
  catalog?: Catalog;
}

const SERVER_ID = randomUUID();

function answer(catalog: Catalog, query: unknown): object | undefined {
  if (!Array.isArray(query))
    return { t: ResponseType.CLIENT_ERROR, r: ['Expected a JSON array query.'], b: [] };
  const [type, term, globals = {}] = query as [number, Term, Record<string, Term>];
  switch (type) {
    case QueryType.START: {
      let response: object;
      try {
        const value = runQuery(catalog, term, globals);
        response = isSequence(value)
          ? { t: ResponseType.SUCCESS_SEQUENCE, r: value.docs() }
          : { t: ResponseType.SUCCESS_ATOM, r: [toDatum(value)] };
      } catch (err) {
        if (err instanceof UnsupportedTermError)
          response = { t: ResponseType.COMPILE_ERROR, r: [err.message], b: [] };
        else if (err instanceof ReqlError)
          response = { t: ResponseType.RUNTIME_ERROR, e: err.type, r: [err.message], b: [] };
        else response = { t: ResponseType.RUNTIME_ERROR, e: ErrorType.INTERNAL, r: [String(err)], b: [] };
      }
      return globals.noreply === true ? undefined : response;
    }
    // Every result is sent whole, so there is never a cursor to continue or stop.
    case QueryType.CONTINUE:
    case QueryType.STOP:
      return { t: ResponseType.SUCCESS_SEQUENCE, r: [] };
    case QueryType.NOREPLY_WAIT:
      return { t: ResponseType.WAIT_COMPLETE, r: [] };
    case QueryType.SERVER_INFO:
      return {
        t: ResponseType.SERVER_INFO,
        r: [{ id: SERVER_ID, name: 'sluice_test_double', proxy: false }],
      };
    default:
      return { t: ResponseType.CLIENT_ERROR, r: [`Unrecognized query type ${type}.`], b: [] };
  }
}

function serve(socket: Socket, catalog: Catalog, passwords: ReadonlyMap<string, string>): void {
  let buffer = Buffer.alloc(0);
  let state: 'magic' | 'handshake' | 'queries' = 'magic';
  const handshake = new ScramHandshake(passwords);
  const sendJson = (message: object) => socket.write(JSON.stringify(message) + '\0');

  const consume = () => {
    if (state === 'magic') {
      if (buffer.length < 4) return;
      const magic = buffer.readUInt32LE(0);
      buffer = buffer.subarray(4);
      if (magic !== V1_0) {
        socket.end('ERROR: Received an unsupported protocol version. This test server speaks V1_0 only.\n\0');
        return;
      }
      sendJson(SERVER_HELLO);
      state = 'handshake';
    }
    while (state === 'handshake') {
      const end = buffer.indexOf(0);
      if (end < 0) return;
      const step = handshake.step(buffer.subarray(0, end).toString('utf8'));
      buffer = buffer.subarray(end + 1);
      sendJson(step.reply);
      if (step.fail) {
        socket.end();
        return;
      }
      if (step.authenticated) state = 'queries';
    }
    while (buffer.length >= 12) {
      const length = buffer.readUInt32LE(8);
      if (buffer.length < 12 + length) return;
      const token = buffer.subarray(0, 8);
      const body = buffer.subarray(12, 12 + length).toString('utf8');
      buffer = buffer.subarray(12 + length);
      let query: unknown;
      try {
        query = JSON.parse(body);
      } catch {
        query = undefined;
      }
      const response = answer(catalog, query);
      if (response === undefined) continue;
      const json = Buffer.from(JSON.stringify(response));
      const header = Buffer.alloc(12);
      token.copy(header, 0);
      header.writeUInt32LE(json.length, 8);
      socket.write(Buffer.concat([header, json]));
    }
  };

  // A 1 MB insert arrives in many chunks: they are joined when the frame they belong to is whole, not
  // one by one (copying everything received so far at every chunk costs the query's size squared).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** How many bytes `consume` needs before it can go on: a whole query frame, or at least its header. */
  const needed = () => (state !== 'queries' ? 1 : buffer.length >= 12 ? 12 + buffer.readUInt32LE(8) : 12);
  socket.on('data', (chunk) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (buffer.length + pendingBytes < needed()) return;
    buffer = Buffer.concat([buffer, ...pending]);
    pending = [];
    pendingBytes = 0;
    consume();
  });
  socket.on('error', () => socket.destroy());
}

export function startServer(options: TestServerOptions): Promise<Server> {
  const catalog = options.catalog ?? new Catalog();
  const passwords = new Map([['admin', options.adminPassword]]);
  const server = createServer((socket) => serve(socket, catalog, passwords));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
