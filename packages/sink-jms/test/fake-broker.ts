import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

// A STOMP server that is just enough of a broker for the session's unit tests: it answers CONNECT,
// keeps the frames of each transaction, "commits" them at COMMIT (with its receipt), refuses the
// destinations it is told to (ERROR with the SEND's receipt id, then closes, as ActiveMQ does), and
// refuses logins other than the one it expects.

export interface Frame {
  command: string;
  headers: Record<string, string>;
  body: string;
}

export class FakeBroker {
  readonly committed: Frame[] = [];
  readonly refuse = new Set<string>();
  /** Answer nothing to COMMIT (a broker that hangs). */
  silentCommit = false;
  login: string | null = null;
  connects = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  /** With `tls`, the broker speaks STOMP over TLS (a `stomp+ssl://` broker). */
  static async start(tls?: TlsOptions): Promise<FakeBroker> {
    const server = tls ? createTlsServer(tls) : createServer();
    const broker = new FakeBroker(server);
    server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => broker.serve(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return broker;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection (a broker that died). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const transactions = new Map<string, Frame[]>();
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      // After an ERROR the connection is over: nothing that followed on it is processed.
      while (!socket.writableEnded && (end = buffer.indexOf('\0')) >= 0) {
        const text = buffer.slice(0, end).replace(/^\n+/, '');
        buffer = buffer.slice(end + 1);
        if (text === '') continue;
        this.handle(socket, parse(text), transactions);
      }
    });
  }

  private handle(socket: Socket, frame: Frame, transactions: Map<string, Frame[]>): void {
    const send = (command: string, headers: Record<string, string>) =>
      socket.write(
        `${command}\n${Object.entries(headers)
          .map(([k, v]) => `${k}:${v}\n`)
          .join('')}\n\0`,
      );
    switch (frame.command) {
      case 'CONNECT':
      case 'STOMP':
        this.connects++;
        if (this.login !== null && frame.headers['login'] !== this.login) {
          send('ERROR', { message: `User name [${frame.headers['login'] ?? ''}] or password is invalid.` });
          socket.end();
          return;
        }
        send('CONNECTED', { version: '1.2', server: 'fake' });
        return;
      case 'BEGIN':
        transactions.set(frame.headers['transaction']!, []);
        return;
      case 'SEND': {
        if (this.refuse.has(frame.headers['destination']!)) {
          const headers: Record<string, string> = {
            message: `not authorized to write to ${frame.headers['destination']}`,
          };
          if (frame.headers['receipt']) headers['receipt-id'] = frame.headers['receipt'];
          send('ERROR', headers);
          socket.end();
          return;
        }
        transactions.get(frame.headers['transaction']!)!.push(frame);
        if (frame.headers['receipt']) send('RECEIPT', { 'receipt-id': frame.headers['receipt'] });
        return;
      }
      case 'COMMIT':
        if (this.silentCommit) return;
        this.committed.push(...(transactions.get(frame.headers['transaction']!) ?? []));
        transactions.delete(frame.headers['transaction']!);
        if (frame.headers['receipt']) send('RECEIPT', { 'receipt-id': frame.headers['receipt'] });
        return;
      case 'DISCONNECT':
        if (frame.headers['receipt']) send('RECEIPT', { 'receipt-id': frame.headers['receipt'] });
        socket.end();
        return;
    }
  }
}

function parse(text: string): Frame {
  const blank = text.indexOf('\n\n');
  const head = blank >= 0 ? text.slice(0, blank) : text;
  const [command, ...lines] = head.split('\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0 && !(line.slice(0, colon) in headers))
      headers[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return { command: command!, headers, body: blank >= 0 ? text.slice(blank + 2) : '' };
}
