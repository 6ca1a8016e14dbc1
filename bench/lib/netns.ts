/**
 * Hosts as Linux network namespaces, for the multi-host figure (bench/figures/netns.ts): each host
 * is a namespace with its own loopback and veth links to two switches (a "back" network between
 * relays and Redis, a "front" network between clients and relays), bridges in a switch namespace
 * of their own. Every address lives inside the namespaces this run creates; nothing is added to
 * the machine's own namespace except the veth pairs for the instant before they are moved.
 * Links are shaped with `tc` (tbf or htb: this kernel has no netem), faults injected with
 * `iptables -j DROP` inside a host. `destroy()` deletes every namespace (which removes its links)
 * and is also run on process exit and SIGINT/SIGTERM, so a failed run leaves nothing behind.
 *
 *   const net = await createNetwork("eb1", [{ name: "r1", back: 11 }, { name: "y1", back: 21, front: 21 }]);
 *   net.spawn("r1", "redis-server", [...]);  net.address("y1", "front") → "10.231.2.21"
 *   await net.destroy();
 */
import { type ChildProcess, execFileSync, type SpawnOptions } from "node:child_process";
import { spawnTracked } from "../../test/harness/processes.js";

export type Side = "back" | "front";

export interface HostSpec {
  readonly name: string;
  /** Last octet on the back network (10.231.1.x), if the host is on it. */
  readonly back?: number;
  /** Last octet on the front network (10.231.2.x), if the host is on it. */
  readonly front?: number;
}

export interface Network {
  /** The namespace of a host. */
  ns(host: string): string;
  address(host: string, side: Side): string;
  /** Runs a command in a host's namespace and returns its stdout. */
  exec(host: string, command: string, args: readonly string[]): string;
  /** Starts a process in a host's namespace (tracked: killed when the benchmark exits). */
  spawn(host: string, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Bytes received and sent on a host's interface (wire bytes, headers included). */
  counters(host: string, side: Side): { readonly rx: number; readonly tx: number };
  /** Limits what a host sends on one side: `tbf` or `htb` at `rateMbit`. */
  shape(host: string, side: Side, qdisc: "tbf" | "htb", rateMbit: number): void;
  /** Limits what reaches a host on one side (htb on its switch port) at `rateMbit`. */
  shapeInbound(host: string, side: Side, rateMbit: number): void;
  /** Drops every packet a host sends to and receives from `peer` (no reset), or stops dropping. */
  drop(host: string, peer: string, on: boolean): void;
  destroy(): void;
}

const SUBNET: Record<Side, string> = { back: "10.231.1", front: "10.231.2" };
const IFACE: Record<Side, string> = { back: "eth-back", front: "eth-front" };

export function createNetwork(prefix: string, hosts: readonly HostSpec[]): Network {
  const switchNs = `${prefix}-sw`;
  const created: string[] = [];
  const cleanup = () => {
    for (const ns of created.splice(0).reverse()) run("ip", ["netns", "del", ns], true);
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once("exit", cleanup);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const nsOf = (host: string) => {
    if (!byName.has(host)) throw new Error(`unknown host ${host}`);
    return `${prefix}-${host}`;
  };
  const inNs = (ns: string, command: string, args: readonly string[], quiet = false) =>
    run("ip", ["netns", "exec", ns, command, ...args], quiet);
  try {
    addNamespace(switchNs, created);
    for (const side of ["back", "front"] as const) {
      inNs(switchNs, "ip", ["link", "add", `br-${side}`, "type", "bridge"]);
      inNs(switchNs, "ip", ["link", "set", `br-${side}`, "up"]);
    }
    hosts.forEach((host, i) => {
      const ns = nsOf(host.name);
      addNamespace(ns, created);
      for (const side of ["back", "front"] as const) {
        const octet = host[side];
        if (octet === undefined) continue;
        const [a, b] = [`${prefix}${i}${side[0]}a`, `${prefix}${i}${side[0]}b`];
        run("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
        run("ip", ["link", "set", a, "netns", ns, "name", IFACE[side]]);
        run("ip", ["link", "set", b, "netns", switchNs, "name", `${host.name}-${side[0]}`]);
        inNs(switchNs, "ip", ["link", "set", `${host.name}-${side[0]}`, "master", `br-${side}`, "up"]);
        inNs(ns, "ip", ["addr", "add", `${SUBNET[side]}.${octet}/24`, "dev", IFACE[side]]);
        inNs(ns, "ip", ["link", "set", IFACE[side], "up"]);
      }
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  const address = (host: string, side: Side) => {
    const octet = byName.get(host)?.[side];
    if (octet === undefined) throw new Error(`${host} is not on the ${side} network`);
    return `${SUBNET[side]}.${octet}`;
  };
  return {
    ns: nsOf,
    address,
    exec: (host, command, args) => inNs(nsOf(host), command, args),
    spawn: (host, command, args, options = {}) =>
      spawnTracked("ip", ["netns", "exec", nsOf(host), command, ...args], options),
    counters(host, side) {
      const read = (what: string) =>
        Number(inNs(nsOf(host), "cat", [`/sys/class/net/${IFACE[side]}/statistics/${what}_bytes`]).trim());
      return { rx: read("rx"), tx: read("tx") };
    },
    shapeInbound(host, side, rateMbit) {
      htb(switchNs, `${host}-${side[0]}`, rateMbit);
    },
    shape(host, side, qdisc, rateMbit) {
      const [dev, ns] = [IFACE[side], nsOf(host)];
      if (qdisc === "htb") return htb(ns, dev, rateMbit);
      const tbf = ["root", "tbf", "rate", `${rateMbit}mbit`, "burst", "64kb", "latency", "100ms"];
      inNs(ns, "tc", ["qdisc", "replace", "dev", dev, ...tbf]);
    },
    drop(host, peer, on) {
      const ns = nsOf(host);
      const peers = (["back", "front"] as const)
        .filter((side) => byName.get(peer)?.[side] !== undefined && byName.get(host)?.[side] !== undefined)
        .map((side) => address(peer, side));
      for (const ip of peers) {
        for (const [chain, flag] of [
          ["INPUT", "-s"],
          ["OUTPUT", "-d"],
        ] as const) {
          inNs(ns, "iptables", [on ? "-A" : "-D", chain, flag, ip, "-j", "DROP"]);
        }
      }
    },
    destroy() {
      cleanup();
      process.off("exit", cleanup);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** An htb root with one default class at `rateMbit` on a device. */
function htb(ns: string, dev: string, rateMbit: number): void {
  const rate = `${rateMbit}mbit`;
  const tc = (args: readonly string[]) => run("ip", ["netns", "exec", ns, "tc", ...args]);
  tc(["qdisc", "replace", "dev", dev, "root", "handle", "1:", "htb", "default", "10"]);
  tc(["class", "replace", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", rate, "ceil", rate]);
}

function addNamespace(ns: string, created: string[]): void {
  run("ip", ["netns", "add", ns]);
  created.push(ns);
  run("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
}

function run(command: string, args: readonly string[], quiet = false): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    if (quiet) return "";
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`${command} ${args.join(" ")} failed: ${stderr.trim() || String(error)}`);
  }
}

/** Why this machine cannot run namespaced hosts, or null when it can. */
export function netnsUnavailable(needs: { readonly iptables: boolean }): string | null {
  if (process.getuid?.() !== 0) return "needs root (ip netns, tc and iptables change the network)";
  for (const tool of ["ip", "tc", ...(needs.iptables ? ["iptables"] : [])]) {
    try {
      execFileSync(tool, ["-V"], { stdio: "ignore" });
    } catch {
      return `the \`${tool}\` tool is missing (Debian: apt-get install ${tool === "ip" || tool === "tc" ? "iproute2" : tool})`;
    }
  }
  return null;
}
