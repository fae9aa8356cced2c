import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a {@link startTestServer} server received it. */
export interface ReceivedRequest {
  /** The method on the request line. */
  method: string;
  /** Path and query exactly as on the request line. */
  path: string;
  /** Headers, lower-case names. */
  headers: IncomingMessage['headers'];
  /** The exact body bytes received. */
  body: Buffer;
}

/** Answers one request of a {@link startTestServer} server; `body` holds the bytes received. */
export type TestServerHandler = (request: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

/** A running loopback server for tests. */
export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: ReceivedRequest[];
  /** Replaces the handler for the requests that follow. */
  handle(handler: TestServerHandler): void;
  /** Stops the server and drops kept-alive connections. */
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (a free port) that records each request's
 * method, request-line path, headers and exact body bytes before `handler`
 * answers it: the small fake provider a plugin's unit tests run against
 * (check a signature over what was really received, answer with the
 * provider's own words). Defaults to answering `200 {}`.
 */
export async function startTestServer(handler: TestServerHandler = (_req, res) => void res.end('{}')): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  let current = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(received);
      Promise.resolve(current(received, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a client's keep-alive sockets would hold close() open
      }),
  };
}

/**
 * A loopback server that is not the provider: it answers every request with
 * an HTML 404, as a web server or proxy does for a path it does not serve.
 * Point a plugin at it to check that a wrong base URL fails with a coded
 * error and that a lookup never reads it as "not found".
 */
export async function startStray404Server(): Promise<TestServer> {
  return startTestServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
  });
}
