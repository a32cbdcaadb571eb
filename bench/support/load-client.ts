/**
 * Load generator for bench/sts-throughput.ts, run as a separate process so that it does not share
 * the server's event loop. Reads a JSON job on stdin, prints one JSON result on stdout.
 *
 * Job: { url, concurrency, requests, bodies: string[] }. Each of `concurrency` keep-alive
 * connections POSTs the next body (a Query form) as soon as the previous answer is complete.
 *
 * HTTP/1.1 is written and read on raw sockets (requests prebuilt, responses framed by
 * Content-Length) instead of node:http: on a 2-core machine the client shares the CPU with the
 * server, and the lighter it is, the more the figures measure the server. Both targets (the
 * validating STS and moto) answer with Content-Length, which is all this client handles.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

interface Job {
  readonly url: string;
  readonly concurrency: number;
  readonly requests: number;
  readonly bodies: readonly string[];
}

export interface LoadResult {
  readonly requests: number;
  readonly statusCounts: Record<string, number>;
  readonly durationMs: number;
  /** Per-request latencies in ms, sorted ascending. */
  readonly latenciesMs: number[];
  /**
   * CPU time (user + system) this load generator spent during the measurement, in ms: on a 2-core
   * machine it is CPU the server could not use.
   */
  readonly clientCpuMs: number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Parses a complete response at the start of `buf`: [status, total length, server closes the
 * connection] or undefined while incomplete.
 */
function frame(buf: Buffer): [number, number, boolean] | undefined {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (match?.[1] === undefined) throw new Error(`response without Content-Length: ${head.slice(0, 80)}`);
  const total = end + HEADER_END.length + Number(match[1]);
  const closes = /\r\nconnection:\s*close/i.test(head);
  return buf.length >= total ? [status, total, closes] : undefined;
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as Job;
  const url = new URL(job.url);
  const host = url.hostname;
  const port = Number(url.port);
  const requests = job.bodies.map((body) =>
    Buffer.from(
      `POST / HTTP/1.1\r\nHost: ${url.host}\r\n` +
        'Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
    ),
  );
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let next = 0;
  const count = (status: string): void => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
  };

  const worker = (): Promise<void> =>
    new Promise((resolve) => {
      let socket: Socket;
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let inFlight = false;
      const open = (): void => {
        pending = Buffer.alloc(0);
        socket = connect({ host, port, noDelay: true });
        socket.on('data', onData);
        // A connection dropped mid-request fails that request; reconnect for the next one.
        const dropped = (reason: string): void => {
          if (!inFlight) return;
          inFlight = false;
          latencies.push(performance.now() - sentAt);
          count(reason);
          socket.removeAllListeners();
          socket.destroy();
          open();
          send();
        };
        socket.on('error', (error) => {
          dropped(error.message);
        });
        socket.on('close', () => {
          dropped('connection closed');
        });
      };
      const send = (): void => {
        const i = next++;
        if (i >= job.requests) {
          socket.removeAllListeners();
          socket.end();
          resolve();
          return;
        }
        sentAt = performance.now();
        inFlight = true;
        socket.write(requests[i % requests.length] ?? Buffer.alloc(0));
      };
      const onData = (chunk: Buffer): void => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const done = frame(pending);
        if (done === undefined) return;
        inFlight = false;
        latencies.push(performance.now() - sentAt);
        count(String(done[0]));
        pending = pending.subarray(done[1]);
        if (done[2]) {
          // moto (werkzeug) answers `Connection: close`: each request needs a new connection.
          socket.removeAllListeners();
          socket.destroy();
          open();
        }
        send();
      };
      open();
      send();
    });

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    requests: job.requests,
    statusCounts,
    durationMs,
    latenciesMs: latencies,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(JSON.stringify(result));
}

await main();
