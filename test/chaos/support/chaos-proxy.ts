/**
 * A TCP proxy on 127.0.0.1 that stands for the network (and, with several targets, for a load
 * balancer): every connection is forwarded to the next live target, round robin. Faults are real
 * TCP faults, no mocks:
 *   - `cut()` resets every open connection (both ends get ECONNRESET, mid-frame if need be);
 *   - `setDown(true)` resets new connections at once until `setDown(false)` (no route to the relay);
 *   - a target that refuses (a killed relay) is skipped; with none left the client is reset;
 *   - `setStalled(true)` stops forwarding in both directions without closing anything (a network
 *     that silently drops packets: no reset, the connections look alive) until `setStalled(false)`,
 *     when what was sent meanwhile flows on, as TCP retransmits once a path comes back.
 *
 *   const proxy = await startChaosProxy([relayA.port, relayB.port]);
 *   createEventBus({ url: proxy.url, … });
 *   proxy.cut();
 *   await proxy.close();   // afterAll
 */
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";

const HOST = "127.0.0.1";

export interface ChaosProxy {
  readonly url: string;
  readonly port: number;
  /** Connections open right now. */
  readonly open: number;
  /** Connections forwarded so far. */
  readonly forwarded: number;
  /** Connections reset by cut() so far. */
  readonly cuts: number;
  setTargets(ports: readonly number[]): void;
  /** Resets every open connection; returns how many. */
  cut(): number;
  setDown(down: boolean): void;
  setStalled(stalled: boolean): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | undefined;
  connected?: boolean;
}

/** Forwards both ways, or stops reading both sockets (data waits in the kernel buffers). */
function flow(pair: Pair, on: boolean): void {
  const { client, upstream } = pair;
  if (!upstream || !pair.connected) return;
  if (on) {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    upstream.resume();
  } else {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
}

export async function startChaosProxy(targets: readonly number[]): Promise<ChaosProxy> {
  let ports = [...targets];
  let next = 0;
  let down = false;
  let stalled = false;
  let forwarded = 0;
  let cuts = 0;
  const pairs = new Set<Pair>();

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const connectUpstream = (pair: Pair, attempt: number) => {
    if (attempt >= ports.length) {
      pair.client.resetAndDestroy();
      pairs.delete(pair);
      return;
    }
    const port = ports[next++ % ports.length];
    if (port === undefined) return drop(pair);
    const upstream = createConnection({ host: HOST, port });
    pair.upstream = upstream;
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      pair.connected = true;
      forwarded++;
      if (stalled) upstream.pause();
      else flow(pair, true);
    });
    upstream.on("error", () => {
      if (!connected && pairs.has(pair)) connectUpstream(pair, attempt + 1);
      else drop(pair);
    });
    upstream.on("close", () => {
      if (connected) drop(pair);
    });
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    client.on("error", () => {});
    if (down || ports.length === 0) {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    client.on("close", () => drop(pair));
    connectUpstream(pair, 0);
  });
  server.listen(0, HOST);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    url: `http://${HOST}:${port}`,
    port,
    get open() {
      return pairs.size;
    },
    get forwarded() {
      return forwarded;
    },
    get cuts() {
      return cuts;
    },
    setTargets(list) {
      ports = [...list];
    },
    cut() {
      const count = pairs.size;
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      }
      cuts += count;
      return count;
    },
    setDown(value) {
      down = value;
    },
    setStalled(value) {
      if (stalled === value) return;
      stalled = value;
      for (const pair of pairs) flow(pair, !value);
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
