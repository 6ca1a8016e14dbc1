/** Defaults and validation of createEventBus options (INVALID_OPTIONS names the culprit). */

import { type BackoffOptions, DEFAULT_BACKOFF } from "../common/backoff.js";
import { type Clock, systemClock } from "../common/clock.js";
import { EventBusError } from "../protocol/errors.js";
import { checkOptionKeys, EVENT_BUS_OPTIONS_KEYS } from "./option-keys.js";
import { DEFAULT_OUTBOX, type OutboxOptions } from "./outbox-options.js";
import type { SharedTransport } from "./tab-sharing.js";
import type { Connector, SocketIoTransportOptions } from "./transport.js";
import type { EventBusOptions } from "./types.js";
import { webSocketTransport } from "./ws-transport.js";

export interface ResolvedOptions {
  readonly transport: SocketIoTransportOptions;
  /** The connection implementation: the built-in WebSocket client, or socket.io-client (`socketIo`). */
  readonly connector: Connector;
  readonly token: string | undefined;
  readonly getToken: EventBusOptions["getToken"];
  readonly backoff: BackoffOptions;
  readonly outbox: OutboxOptions;
  readonly autoConnect: boolean;
  readonly clock: Clock;
  readonly random: () => number;
  /** Tab sharing (client/share-tabs.ts) and its group key (BroadcastChannel and lock names), or null: a socket per bus. */
  readonly shareAcrossTabs: TabsPlugin | null;
}

export function resolveOptions(options: EventBusOptions): ResolvedOptions {
  checkOptionKeys("createEventBus options", options, EVENT_BUS_OPTIONS_KEYS);
  if (typeof options?.url !== "string" || options.url.length === 0) invalid("url", "a non-empty string");
  if (options.token === undefined && options.getToken === undefined) invalid("token", "given, or getToken");
  if (options.getToken !== undefined && typeof options.getToken !== "function")
    invalid("getToken", "a function");
  const backoff = { ...DEFAULT_BACKOFF, ...options.reconnect };
  positive("reconnect.minDelay", backoff.minDelay);
  positive("reconnect.maxDelay", backoff.maxDelay);
  if (backoff.maxDelay < backoff.minDelay) invalid("reconnect.maxDelay", "at least reconnect.minDelay");
  const outbox = { ...DEFAULT_OUTBOX, ...options.outbox };
  positive("outbox.maxMessages", outbox.maxMessages);
  positive("outbox.maxBytes", outbox.maxBytes);
  positive("outbox.maxAge", outbox.maxAge);
  if (outbox.overflow !== "reject-new" && outbox.overflow !== "drop-oldest") {
    invalid("outbox.overflow", '"reject-new" or "drop-oldest"');
  }
  const transport: SocketIoTransportOptions = {
    url: options.url,
    transports: options.transports ?? ["websocket"],
    path: options.path,
    connectTimeout: positive("connectTimeout", options.connectTimeout ?? 10_000),
    requestTimeout: positive("requestTimeout", options.requestTimeout ?? 10_000),
    socketOptions: options.socketOptions,
    clock: options.clock ?? systemClock,
  };
  return {
    transport,
    connector: connectorOf(options),
    token: options.token,
    getToken: options.getToken,
    backoff,
    outbox,
    autoConnect: options.autoConnect ?? true,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    shareAcrossTabs: tabsOf(options),
  };
}

const SOCKET_IO_IMPORT =
  "import `socketIoClient` from @shared-infra/event-bus/client/socket-io and pass `socketIo: socketIoClient`";

/**
 * socket.io-client when the app passed it; otherwise the built-in WebSocket client, which refuses
 * (INVALID_OPTIONS saying what to import) the options only socket.io-client implements.
 */
function connectorOf({ socketIo, transports, socketOptions }: EventBusOptions): Connector {
  if (socketIo !== undefined) {
    const connector = (socketIo as { connector?: unknown } | null)?.connector;
    if (typeof connector !== "function") invalid("socketIo", `socketIoClient (${SOCKET_IO_IMPORT})`);
    return connector as Connector;
  }
  if (transports !== undefined && (transports.length !== 1 || transports[0] !== "websocket"))
    invalid("transports", `["websocket"] without socket.io-client (${SOCKET_IO_IMPORT})`);
  const other = Object.keys(socketOptions ?? {}).find((key) => key !== "query");
  if (other !== undefined)
    invalid(`socketOptions.${other}`, `left out without socket.io-client (${SOCKET_IO_IMPORT})`);
  return webSocketTransport;
}

export interface TabsPlugin {
  readonly key: string;
  readonly share: (o: ResolvedOptions, key: string) => SharedTransport;
}

/** What client/share-tabs.ts's shareTabs() returns, seen from here. */
interface ShareTabsValue {
  readonly group?: unknown;
  readonly share?: unknown;
}

function tabsOf({ shareAcrossTabs: share, url }: EventBusOptions): TabsPlugin | null {
  if (share === undefined || share === false) return null;
  const value = share as ShareTabsValue | null;
  if (typeof value?.group !== "function" || typeof value.share !== "function")
    invalid(
      "shareAcrossTabs",
      "false or shareTabs({ key? }) imported from @shared-infra/event-bus/client/tabs",
    );
  return {
    key: (value.group as (url: string) => string)(url),
    share: value.share as TabsPlugin["share"],
  };
}

/**
 * Checks createEventBus options without creating anything (no socket, no listeners): throws the
 * INVALID_OPTIONS createEventBus would. <EventBusProvider options> calls it during render.
 */
export function validateEventBusOptions(options: EventBusOptions): void {
  resolveOptions(options);
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
    invalid(name, "a positive number");
  return value;
}

function invalid(name: string, expected: string): never {
  throw new EventBusError("INVALID_OPTIONS", `Option \`${name}\` must be ${expected}.`, {
    details: { option: name },
  });
}
