/**
 * A real relay for tests: createRelay on 127.0.0.1 port 0, silent logs, a short subscription
 * linger, and by default its own in-memory hub (tests never share broker state by accident).
 *
 *   const server = await startTestRelay();
 *   const client = await connectClient(server.url, await server.token("u1", { rooms: ["photo:*"] }));
 *   await server.close();
 */
import { channelNames } from "../../protocol/channels.js";
import { encodeEvent } from "../../protocol/codec.js";
import { createDevToken, type DevTokenOptions } from "../../relay/auth/dev-token.js";
import type { Broker } from "../../relay/brokers/broker.js";
import type { BrokerConfig } from "../../relay/brokers/create-broker.js";
import { MemoryHub } from "../../relay/brokers/memory/memory-hub.js";
import { createRelay, type Relay } from "../../relay/edge/create-relay.js";
import type { RelayOptions } from "../../relay/edge/options.js";

export const TEST_SECRET = "relay-test-secret-0123456789abcdef";

export type TokenClaims = Omit<DevTokenOptions, "sub" | "secret">;

export interface TestRelay {
  readonly relay: Relay;
  readonly url: string;
  readonly broker: Broker;
  /** An HS256 token for `sub` signed with the relay's secret. */
  token(sub: string, claims?: TokenClaims): Promise<string>;
  close(): Promise<void>;
}

export interface TestRelayOptions extends Partial<Omit<RelayOptions, "broker">> {
  readonly broker?: Broker | BrokerConfig;
}

export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const relay = await createRelay({
    port: 0,
    host: "127.0.0.1",
    logLevel: "silent",
    subscriptionLingerMs: 20,
    auth: { secret: TEST_SECRET },
    broker: { broker: "memory", hub: new MemoryHub() },
    ...options,
  });
  return {
    relay,
    url: relay.url,
    broker: relay.broker,
    token: (sub, claims = {}) => createDevToken({ sub, secret: TEST_SECRET, ...claims }),
    close: () => relay.close({ timeoutMs: 1000 }),
  };
}

/** Publishes an event as a backend would: recoverable channels through history, others live. */
export async function publishEvent(
  broker: Broker,
  channel: string,
  type: string,
  data: unknown,
  prefix = "",
): Promise<{ offset: number; epoch: string } | null> {
  const { json } = encodeEvent({ type, data, source: "test-backend" });
  if (channelNames(prefix).isRecoverable(channel)) return broker.publishRecoverable(channel, json);
  await broker.publish(channel, json);
  return null;
}
