/**
 * healthCheck(): a PING to the broker with a deadline, turned into one of three states —
 * healthy (connected, PING answered), degraded (reconnecting: operations are queued and
 * subscriptions will come back), unhealthy (not connected, closed, or the PING failed).
 */

import type { Clock } from "../../common/clock.js";
import type { Broker } from "../brokers/broker.js";
import type { HealthState, HealthStatus } from "./types.js";

export const HEALTH_PING_TIMEOUT_MS = 2000;

export async function checkHealth(
  broker: Broker,
  subscriptions: number,
  clock: Clock,
  timeoutMs = HEALTH_PING_TIMEOUT_MS,
): Promise<HealthStatus> {
  const latencyMs = broker.status === "ready" ? await pingWithin(broker, clock, timeoutMs) : null;
  const connected = broker.status === "ready" && latencyMs !== null;
  let status: HealthState = "unhealthy";
  if (connected) status = "healthy";
  else if (broker.status === "reconnecting") status = "degraded";
  return {
    status,
    broker: { kind: broker.kind, status: broker.status, connected, latencyMs },
    subscriptions,
    checkedAt: new Date(clock.now()).toISOString(),
  };
}

function pingWithin(broker: Broker, clock: Clock, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(null), timeoutMs);
    broker.ping().then(
      (ms) => {
        clock.clearTimeout(timer);
        resolve(Math.round(ms * 100) / 100);
      },
      () => {
        clock.clearTimeout(timer);
        resolve(null);
      },
    );
  });
}
