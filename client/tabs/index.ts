/**
 * Tab sharing (`createEventBus({ shareAcrossTabs: true })`): loaded on demand by ../tab-sharing.ts,
 * so a build that does not use it does not ship it. docs/client.md, "One connection for all tabs".
 */
import type { ResolvedOptions } from "../options.js";
import type { TransportFactory } from "../transport.js";
import { Hub } from "./hub.js";
import { TabNet } from "./tab-net.js";
import { tabTransport } from "./tab-transport.js";

export interface TabSharing {
  readonly transport: TransportFactory;
  /** Calls `listener` whenever a hub's connection to the relay opens. */
  onUp(listener: () => void): void;
  /** The bus closed: leave the tabs (hand leadership over if this tab held it). */
  dispose(): void;
}

export function startTabSharing(o: ResolvedOptions, key: string): TabSharing {
  const net = new TabNet(key, o.clock, (self) => new Hub(o, self));
  const { connectTimeout, requestTimeout, clock } = o.transport;
  return {
    transport: tabTransport(net, { connectTimeout, requestTimeout, clock }),
    onUp: (listener) => {
      net.listen((message) => message.k === "up" && listener());
    },
    dispose: () => net.close(),
  };
}
