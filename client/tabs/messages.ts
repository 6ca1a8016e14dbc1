/**
 * What tabs and the leader's hub say to each other over the origin's BroadcastChannel (and, in the
 * leader's own tab, in-process). Plain structured-clonable objects; errors travel as WireErrors.
 * A "conn" is one virtual connection of one tab (one per connection attempt of its bus).
 * Changing these shapes means bumping TABS_PROTOCOL (client/share-tabs.ts), which is in the group key.
 */
import type { WireError } from "../../protocol/errors.js";
import type { ClientFrameName, PresenceEvent } from "../../protocol/frames.js";

/** Tab → hub. */
export type TabMessage =
  | { readonly k: "open"; readonly conn: string; readonly tab: string }
  | {
      readonly k: "req";
      readonly conn: string;
      readonly id: number;
      readonly frame: ClientFrameName;
      readonly payload: unknown;
    }
  | { readonly k: "close"; readonly conn: string }
  | { readonly k: "bye"; readonly tab: string }
  | { readonly k: "ping"; readonly tab: string };

/** Hub → tabs. `to` lists the conns a delivery is for. */
export type HubMessage =
  | { readonly k: "leader"; readonly hub: string }
  /** The hub's connection to the relay opened: tabs waiting out a backoff retry now. */
  | { readonly k: "up"; readonly hub: string }
  | { readonly k: "pong"; readonly tab: string }
  | { readonly k: "ready"; readonly conn: string; readonly hub: string }
  | { readonly k: "fail"; readonly conn: string; readonly error: WireError }
  | { readonly k: "drop"; readonly conn: string }
  | { readonly k: "down"; readonly hub: string; readonly reason: string }
  | {
      readonly k: "res";
      readonly conn: string;
      readonly id: number;
      readonly result?: unknown;
      readonly error?: WireError;
    }
  | {
      readonly k: "m";
      readonly to: readonly string[];
      readonly channel: string;
      /** The relay frame's envelope object, as received (each tab validates it). */
      readonly message: unknown;
      /** Latest-only skips before this message (the relay's `after`, docs/protocol.md). */
      readonly after?: number;
    }
  | { readonly k: "presence"; readonly to: readonly string[]; readonly event: PresenceEvent }
  | { readonly k: "resync"; readonly to: readonly string[]; readonly channels: readonly string[] }
  | { readonly k: "left"; readonly to: readonly string[]; readonly room: string; readonly error: WireError };

const TAB_KINDS: ReadonlySet<string> = new Set(["open", "req", "close", "bye", "ping"]);

export function isTabMessage(value: unknown): value is TabMessage {
  return typeof value === "object" && value !== null && TAB_KINDS.has((value as { k?: string }).k ?? "");
}

export function isHubMessage(value: unknown): value is HubMessage {
  const k = typeof value === "object" && value !== null ? (value as { k?: unknown }).k : undefined;
  return typeof k === "string" && !TAB_KINDS.has(k);
}
