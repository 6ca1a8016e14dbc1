/**
 * Relay processes (the real CLI) behind a ChaosProxy acting as the load balancer, as a deployment
 * runs them: clients connect to `fleet.url`; a relay can be SIGKILLed and a fresh one started in
 * its place; the proxy always forwards to the relays that are alive.
 */

import { type RelayProcess, startRelayProcess } from "../../helpers/relay-process.js";
import { type ChaosProxy, startChaosProxy } from "./chaos-proxy.js";
import { rssMb } from "./relay-probe.js";

export interface RelayFleet {
  readonly url: string;
  readonly proxy: ChaosProxy;
  readonly relays: readonly RelayProcess[];
  /** SIGKILLs the relay at `index` and starts a new one in its place (same environment). */
  replace(index: number): Promise<RelayProcess>;
  /** Highest RSS (MB) seen across relays, sampled on demand and by `sample()`. */
  readonly peakRssMb: number;
  sample(): void;
  stop(): Promise<void>;
}

function portOf(relay: RelayProcess): number {
  return Number(new URL(relay.url).port);
}

export async function startRelayFleet(count: number, env: Record<string, string>): Promise<RelayFleet> {
  const relays: RelayProcess[] = [];
  let proxy: ChaosProxy | undefined;
  let peak = 0;
  const sample = () => {
    for (const relay of relays) peak = Math.max(peak, rssMb(relay.child.pid) ?? 0);
  };
  const sampler = setInterval(sample, 200);
  const stop = async () => {
    clearInterval(sampler);
    await proxy?.close();
    await Promise.all(relays.map((r) => r.kill()));
  };
  try {
    for (let i = 0; i < count; i++) relays.push(await startRelayProcess(env));
    proxy = await startChaosProxy(relays.map(portOf));
  } catch (error) {
    await stop();
    throw error;
  }
  const lb = proxy;
  return {
    url: lb.url,
    proxy: lb,
    relays,
    async replace(index) {
      const victim = relays[index];
      if (!victim) throw new Error(`no relay at ${index}`);
      sample();
      await victim.kill();
      lb.setTargets(relays.filter((r) => r !== victim).map(portOf));
      const fresh = await startRelayProcess(env);
      relays[index] = fresh;
      lb.setTargets(relays.map(portOf));
      return fresh;
    },
    get peakRssMb() {
      sample();
      return peak;
    },
    sample,
    stop,
  };
}
