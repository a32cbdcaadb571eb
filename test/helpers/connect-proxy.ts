import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** One CONNECT the proxy received. */
export interface ProxiedConnect {
  readonly authority: string;
  readonly authorization: string | undefined;
}

export interface ConnectProxy {
  readonly url: string;
  readonly connects: ProxiedConnect[];
  stop(): Promise<void>;
}

/**
 * A minimal forward proxy for tests, on 127.0.0.1: it answers only `CONNECT` (what TLS clients
 * and the AWS SDK's proxy agent send) and tunnels bytes to where `route` says the authority lives,
 * as a corporate proxy resolves names the client cannot. With `credentials` it answers 407 to a
 * CONNECT without the matching `Proxy-Authorization: Basic`.
 */
export async function startConnectProxy(options: {
  route: (host: string, port: number) => { host: string; port: number };
  credentials?: string;
}): Promise<ConnectProxy> {
  const connects: ProxiedConnect[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405).end('CONNECT only');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const authorization = req.headers['proxy-authorization'];
    connects.push({ authority, authorization });
    if (
      options.credentials !== undefined &&
      authorization !== `Basic ${Buffer.from(options.credentials).toString('base64')}`
    ) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
    if (m?.[1] === undefined || m[2] === undefined) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const to = options.route(m[1], Number(m[2]));
    const upstream = connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
