import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How an answer the upstream gave is lost on its way back. */
export type LostAnswer = 'reset' | 'hang' | 'truncate';

/** One request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** `reference` of a JSON body, when it has one. */
  reference?: string;
  /** When the request arrived (Date.now()). */
  at: number;
  /** The upstream's answer was lost (the upstream still processed the request). */
  lost?: LostAnswer;
  /** The upstream's status, once it answered. */
  status?: number;
  /** When the upstream's answer arrived (Date.now()). */
  answeredAt?: number;
}

/**
 * A loopback HTTP proxy between the host and the simulator, with faults of
 * its own so the host cannot be tuned to the simulator's built-in ones.
 * While a burst is on, a request that matches `lose` is forwarded, the
 * upstream processes it (commits), and its answer is lost: the connection is
 * reset, the proxy hangs until the client gives up, or half the body is
 * written and the connection closed. Everything else passes unchanged.
 */
export class FaultProxy {
  readonly seen: ProxiedRequest[] = [];
  private server: Server | undefined;
  private burstUntil = 0;
  private readonly sockets = new Set<Socket>();
  private counter = 0;

  private constructor(
    private readonly upstream: URL,
    private readonly lose: (method: string, path: string) => boolean,
  ) {}

  /** Starts a proxy to `upstream` on a free loopback port. `lose` picks the requests whose answers a burst loses. */
  static async start(upstream: string, lose: (method: string, path: string) => boolean): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(upstream), lose);
    const server = createServer((req, res) => void proxy.handle(req, res));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.server = server;
    return proxy;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Loses the answers of matching requests for the next `ms`. */
  startBurst(ms: number): void {
    this.burstUntil = Date.now() + ms;
  }

  /** True while a burst is on. */
  get inBurst(): boolean {
    return Date.now() < this.burstUntil;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now(), ...referenceOf(body) };
    this.seen.push(entry);
    const faulty = this.inBurst && this.lose(entry.method, entry.path);
    const upstream = request(
      new URL(entry.path, this.upstream),
      { method: entry.method, headers: { ...req.headers, host: this.upstream.host }, agent: false },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const payload = Buffer.concat(parts);
          entry.status = answer.statusCode;
          entry.answeredAt = Date.now();
          if (!faulty) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(payload);
            return;
          }
          entry.lost = (['reset', 'hang', 'truncate'] as const)[this.counter++ % 3];
          if (entry.lost === 'reset') req.socket.resetAndDestroy();
          else if (entry.lost === 'truncate') {
            res.writeHead(answer.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': String(payload.length) });
            res.write(payload.subarray(0, Math.floor(payload.length / 2)));
            setTimeout(() => req.socket.destroy(), 5);
          }
          // 'hang': never answers; the client's timeout ends it.
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }

  /** Stops listening and cuts every connection (hung ones included). */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function referenceOf(body: Buffer): { reference?: string } {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { reference?: unknown };
    return typeof parsed.reference === 'string' ? { reference: parsed.reference } : {};
  } catch {
    return {};
  }
}
