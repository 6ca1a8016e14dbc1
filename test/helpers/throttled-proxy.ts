/**
 * A slow link in front of a relay: a TCP proxy on 127.0.0.1 that forwards client → relay at full
 * speed and relay → client at `bytesPerSecond`, with backpressure — it stops reading from the relay
 * while more than `highWaterBytes` wait to be forwarded, so the relay's own send buffers fill as
 * they would behind a real slow network (the kernel's loopback buffers still absorb some). `pause()`
 * stops forwarding (and reading) relay → client on every open connection: a client that does not
 * read. When the relay closes its side, the client's side is closed at once (what was queued is
 * dropped, as a cut network would).
 *
 *   const proxy = await startThrottledProxy(relayPort, { bytesPerSecond: 8 * 1024 * 1024 });
 *   createEventBus({ url: proxy.url, … });
 *   proxy.pause(); …; proxy.resume();
 *   await proxy.close();   // afterEach
 */
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";

const HOST = "127.0.0.1";
const TICK_MS = 5;
/** Credit a late timer may carry over, in ticks (100 ms): a stalled timer does not become a burst. */
const MAX_CREDIT_TICKS = 20;

export interface ThrottledProxyOptions {
  /** Relay → client bytes per second. */
  readonly bytesPerSecond: number;
  /** Bytes read from the relay but not yet forwarded before the proxy stops reading. Default 64 KB. */
  readonly highWaterBytes?: number;
}

export interface ThrottledProxy {
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections open right now. */
  readonly open: number;
  /** Bytes forwarded relay → client so far. */
  readonly forwardedBytes: number;
  /** Stops forwarding relay → client on every open connection (new ones are not paused). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** One client connection and its relay connection, with the relay → client queue. */
class Link {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private allowance = 0;
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
    private readonly options: Required<ThrottledProxyOptions>,
    private readonly forwarded: (bytes: number) => void,
  ) {
    upstream.on("data", (chunk: Buffer) => {
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (this.queued >= options.highWaterBytes) upstream.pause();
    });
    this.timer = setInterval(() => this.pump(), TICK_MS);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.last = Date.now();
    this.allowance = 0;
    if (paused) this.upstream.pause();
  }

  stop(): void {
    clearInterval(this.timer);
    this.client.destroy();
    this.upstream.destroy();
  }

  private pump(): void {
    const now = Date.now();
    if (this.paused) return;
    const perTick = (this.options.bytesPerSecond * TICK_MS) / 1000;
    this.allowance = Math.min(
      this.allowance + ((now - this.last) * this.options.bytesPerSecond) / 1000,
      MAX_CREDIT_TICKS * perTick,
    );
    this.last = now;
    while (this.allowance >= 1 && this.queue.length > 0 && !this.client.writableNeedDrain) {
      const head = this.queue[0] as Buffer;
      const take = Math.min(head.length, Math.floor(this.allowance));
      this.client.write(head.subarray(0, take));
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
      this.queued -= take;
      this.allowance -= take;
      this.forwarded(take);
    }
    // An idle link banks no credit: a real one cannot send faster later for having been idle.
    if (this.queue.length === 0) this.allowance = Math.min(this.allowance, perTick);
    if (this.queued < this.options.highWaterBytes / 2) this.upstream.resume();
  }
}

export async function startThrottledProxy(
  targetPort: number,
  options: ThrottledProxyOptions,
): Promise<ThrottledProxy> {
  const settings = { highWaterBytes: 64 * 1024, ...options };
  const links = new Set<Link>();
  let connections = 0;
  let forwardedBytes = 0;

  const server = createServer({ pauseOnConnect: true }, (client) => {
    connections++;
    client.on("error", () => {});
    const upstream = createConnection({ host: HOST, port: targetPort });
    upstream.on("error", () => {});
    const link = new Link(client, upstream, settings, (bytes) => {
      forwardedBytes += bytes;
    });
    links.add(link);
    const drop = () => {
      links.delete(link);
      link.stop();
    };
    upstream.once("connect", () => {
      client.pipe(upstream);
      client.resume();
    });
    upstream.once("close", drop);
    client.once("close", drop);
  });
  server.listen(0, HOST);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    url: `http://${HOST}:${port}`,
    get connections() {
      return connections;
    },
    get open() {
      return links.size;
    },
    get forwardedBytes() {
      return forwardedBytes;
    },
    pause() {
      for (const link of links) link.setPaused(true);
    },
    resume() {
      for (const link of links) link.setPaused(false);
    },
    async close() {
      for (const link of [...links]) link.stop();
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
