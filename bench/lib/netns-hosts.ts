/**
 * The deployment of the multi-host figures on namespaced hosts (bench/lib/netns.ts): a 3-master
 * Redis Cluster (r1–r3, back network), relays y1…yN (the real `event-bus relay` CLI, back + front
 * networks), and the load host `ld` (bench/procs/netns-load.ts: SDK clients on the front network,
 * the backend publisher on the back network). `stop()` kills every process and deletes every
 * namespace, also when a step fails.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopProcess, waitForOutput } from "../../test/harness/processes.js";
import { ROOT } from "./ipc.js";
import { createNetwork, type HostSpec, type Network } from "./netns.js";

export const REDIS_PORT = 7000;
export const RELAY_PORT = 8080;
const SECRET = "netns-secret-0123456789abcdef0123456789";
const SLOTS = 16384;

export interface Deployment {
  readonly net: Network;
  readonly relays: readonly string[];
  readonly load: ChildProcess;
  /** The relay processes' pids, by host name (y1…). */
  readonly relayPids: ReadonlyMap<string, number>;
  relayUrl(host: string): string;
  /** The relay's JSON log lines so far (the last 5000), parsed. */
  relayLog(
    host: string,
  ): readonly { readonly time: number; readonly msg: string; readonly [key: string]: unknown }[];
  /** Replaces the relays with fresh ones started with `env` (heartbeat settings). */
  restartRelays(env: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function deploy(relayCount: number, relayEnv: Record<string, string>): Promise<Deployment> {
  const relays = Array.from({ length: relayCount }, (_, i) => `y${i + 1}`);
  const hosts: HostSpec[] = [
    ...[1, 2, 3].map((i) => ({ name: `r${i}`, back: 10 + i })),
    ...relays.map((name, i) => ({ name, back: 21 + i, front: 21 + i })),
    { name: "ld", back: 100, front: 100 },
  ];
  const net = createNetwork(`eb${process.pid % 10_000}`, hosts);
  const dir = mkdtempSync(join(tmpdir(), "event-bus-netns-"));
  const procs: ChildProcess[] = [];
  const relayProcs = new Map<string, ChildProcess>();
  const logs = new Map<string, string[]>();
  const stop = async () => {
    await Promise.all([...procs, ...relayProcs.values()].map((p) => stopProcess(p, "SIGKILL")));
    net.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const redis = ["r1", "r2", "r3"];
    for (const host of redis) procs.push(await startRedis(net, host, dir));
    formCluster(net, redis);
    const cluster = redis.map((h) => `${net.address(h, "back")}:${REDIS_PORT}`).join(",");
    const startRelays = async (env: Record<string, string>) => {
      for (const host of relays) {
        const lines: string[] = [];
        logs.set(host, lines);
        relayProcs.set(host, await startRelay(net, host, cluster, env, lines));
      }
    };
    await startRelays(relayEnv);
    const load = net.spawn("ld", process.execPath, ["--import", "tsx", "bench/procs/netns-load.ts"], {
      cwd: ROOT,
      env: { ...process.env, JWT_SECRET: SECRET, CLUSTER: cluster },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    procs.push(load);
    await waitForOutput(load, /netns load ready/, 60_000);
    load.stdout?.resume();
    load.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[netns load] ${chunk}`));
    return {
      net,
      relays,
      load,
      get relayPids() {
        return new Map([...relayProcs].map(([host, proc]) => [host, proc.pid ?? 0]));
      },
      relayUrl: (host) => `http://${net.address(host, "front")}:${RELAY_PORT}`,
      relayLog: (host) =>
        (logs.get(host) ?? []).flatMap((line) => {
          try {
            const entry = JSON.parse(line) as { time: string; msg: string };
            return [{ ...entry, time: Date.parse(entry.time) }];
          } catch {
            return [];
          }
        }),
      async restartRelays(env) {
        await Promise.all([...relayProcs.values()].map((p) => stopProcess(p, "SIGKILL")));
        await startRelays(env);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startRedis(net: Network, host: string, dir: string): Promise<ChildProcess> {
  const ip = net.address(host, "back");
  const proc = net.spawn(host, "redis-server", [
    // Not on loopback, so protected mode would refuse clients; the address exists only in our namespaces.
    ...[
      "--port",
      String(REDIS_PORT),
      "--bind",
      ip,
      "--protected-mode",
      "no",
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    ...["--dir", dir, "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${host}.conf`],
    ...["--cluster-port", String(REDIS_PORT + 10_000), "--cluster-node-timeout", "2000"],
  ]);
  await waitForOutput(proc, /Ready to accept connections/, 10_000);
  proc.stdout?.resume();
  proc.stderr?.resume();
  return proc;
}

function cli(net: Network, host: string, args: readonly string[]): string {
  return net.exec("ld", "redis-cli", ["-h", net.address(host, "back"), "-p", String(REDIS_PORT), ...args]);
}

/** Slots by hand (ADDSLOTSRANGE) and MEET, then waits for cluster_state:ok everywhere (≤ 20 s). */
function formCluster(net: Network, hosts: readonly string[]): void {
  const size = Math.floor(SLOTS / hosts.length);
  hosts.forEach((host, i) => {
    const last = i === hosts.length - 1 ? SLOTS - 1 : (i + 1) * size - 1;
    cli(net, host, ["CLUSTER", "ADDSLOTSRANGE", String(i * size), String(last)]);
  });
  for (const host of hosts.slice(1)) {
    cli(net, hosts[0] as string, ["CLUSTER", "MEET", net.address(host, "back"), String(REDIS_PORT)]);
  }
  const deadline = Date.now() + 20_000;
  while (!hosts.every((h) => cli(net, h, ["CLUSTER", "INFO"]).includes("cluster_state:ok"))) {
    if (Date.now() > deadline) throw new Error("the namespaced Redis Cluster did not become healthy in 20 s");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

async function startRelay(
  net: Network,
  host: string,
  cluster: string,
  env: Record<string, string>,
  lines: string[],
): Promise<ChildProcess> {
  const proc = net.spawn(host, process.execPath, ["--import", "tsx", "relay/cli/main.ts", "relay"], {
    cwd: ROOT,
    env: {
      ...process.env,
      JWT_SECRET: SECRET,
      EVENT_BUS_REDIS_CLUSTER: cluster,
      HOST: "0.0.0.0",
      PORT: String(RELAY_PORT),
      LOG_LEVEL: "info",
      MAX_CONNECTIONS_PER_USER: "20",
      // The load host is one address for all its clients, as behind a NAT.
      HANDSHAKES_PER_SECOND: "1000000",
      HANDSHAKE_BURST: "1000000",
      ...env,
    },
  });
  await waitForOutput(proc, /relay listening/, 60_000);
  let partial = "";
  proc.stdout?.setEncoding("utf8");
  proc.stdout?.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > 5000) lines.splice(0, lines.length - 5000);
  });
  proc.stderr?.resume();
  return proc;
}

/** TCP payload bytes a host received from Redis (the kernel's tcp_info, summed over connections). */
export function redisBytesReceived(net: Network, host: string): number {
  const out = net.exec(host, "ss", ["-tinH", "state", "established", `( dport = :${REDIS_PORT} )`]);
  let total = 0;
  for (const match of out.matchAll(/bytes_received:(\d+)/g)) total += Number(match[1]);
  return total;
}
