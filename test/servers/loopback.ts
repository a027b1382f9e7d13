/**
 * The HTTP plumbing every stand-in shares: listen on 127.0.0.1 (port 0), track sockets so
 * tests can count open connections, and close everything on `close()`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackServer {
  server: http.Server;
  port: number;
  /** Connections currently open (a leak check). */
  openSockets(): number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/**
 * @example
 * const loopback = await listenOnLoopback(route, (err, res) => sendJson(res, 500, { error: String(err) }));
 */
export async function listenOnLoopback(
  route: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  onRouteError: (err: unknown, res: http.ServerResponse) => void = (_err, res) => res.destroy(),
): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => onRouteError(err, res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Clients abort by closing the socket; a stand-in just ignores such errors.
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    openSockets: () => sockets.size,
    async close() {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

/** Reads a whole request body as UTF-8. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
