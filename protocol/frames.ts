/**
 * The socket.io protocol between the browser SDK and the relay. docs/protocol.md explains it in
 * prose; this file is the single source of truth for names and shapes.
 *
 * Handshake: `io(url, { auth: { token, v: PROTOCOL_VERSION } })`. A rejected handshake gives the
 * client a `connect_error` whose `data` is a WireError (`{ code, message }`).
 *
 * Client → relay frames are emitted with an acknowledgement callback that receives a Reply.
 * Relay → client frames carry no acknowledgement.
 *
 * Order of a (re)connection: handshake → `hello` (the relay subscribes the socket's own channels —
 * user, broadcast, roles — and answers their positions, replaying what was missed since the
 * positions the client sent) → `join` for each room (same, per room).
 */
import type { WireError } from "./errors.js";
import type { StreamPosition } from "./position.js";
import type { RewindRequest } from "./rewind.js";

/**
 * 3: a `m` frame carries the message as a JSON object (`2["m","<channel>",{…}]`), no longer as a
 * JSON string holding it, so a client parses each delivery once (docs/protocol.md).
 * 2: a `m` frame may carry a fourth argument, `after` (latest-only conflation, latest-only.ts), and
 * `join` may ask for a `rewind`.
 * The two shapes of `m` cannot be told apart safely, so a relay serves exactly the versions below
 * and refuses any other `v` (or none) with PROTOCOL_MISMATCH; a relay older than version 3 refuses
 * `v: 3` with INVALID_FRAME.
 */
export const PROTOCOL_VERSION = 3;
/** Versions a relay serves. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [3];

/** Client → relay event names. */
export const CLIENT_FRAMES = {
  hello: "hello",
  join: "join",
  leave: "leave",
  publish: "publish",
  history: "history",
  presence: "presence",
  auth: "auth",
} as const;

/** Relay → client event names. */
export const RELAY_FRAMES = {
  /**
   * `(channel: string, message: object, after?: number)`: one message as published on the channel,
   * as a JSON object (version 3: the relay splices the published JSON text into the packet; the
   * client validates what socket.io parsed, decodeParsedMessage). `after` (latest-only
   * conflation): the offset of the previous message the relay sent this socket on this channel;
   * every offset between was superseded, not lost.
   */
  message: "m",
  /** `(event: PresenceEvent)`: a member joined or left a room this socket tracks presence of. */
  presence: "presence",
  /** `(channels: string[])`: live delivery was interrupted; recover these channels with `history`. */
  resync: "resync",
  /** `(notice: WireError)`: why the relay is about to disconnect this socket (TOKEN_EXPIRED, …). */
  notice: "notice",
  /**
   * `(event: LeftEvent)`: the relay removed this socket from a room (its refreshed token no longer
   * allows it; `error.code` FORBIDDEN). Do not rejoin it with that token.
   */
  left: "left",
} as const;

export interface LeftEvent {
  readonly room: string;
  readonly error: WireError;
}

export interface HandshakeAuth {
  readonly token: string;
  readonly v?: number;
}

export type Reply<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: WireError };

/** What a replay returns: messages after the requested position, oldest first. */
export interface RecoveryResult {
  /** True when every message after the requested position is in `messages` (or in later pages). */
  readonly recovered: boolean;
  /**
   * Messages as JSON texts, exactly as published (each has `offset` and `epoch`). Unlike live `m`
   * frames (version 3), pages keep the text form: they travel in acknowledgements, which socket.io
   * encodes itself.
   */
  readonly messages: readonly string[];
  /** More messages follow; ask `history` again from the last offset. */
  readonly more: boolean;
}

export interface ChannelSync {
  readonly channel: string;
  /** The channel's newest position once the socket was subscribed live. */
  readonly position: StreamPosition;
  /** Present when the request carried a position to recover from. */
  readonly recovery?: RecoveryResult;
}

// ---- hello ----
export interface HelloRequest {
  /** Last positions seen on the socket's own channels (user, broadcast, roles), by channel. */
  readonly since?: Readonly<Record<string, StreamPosition>>;
  /** The `connectionId` of this client's previous connection: the relay tells why it was cut. */
  readonly previous?: string;
}
export interface HelloResult {
  readonly userId: string;
  readonly roles: readonly string[];
  /** Unique id of this connection (also the presence connection id). */
  readonly connectionId: string;
  readonly channels: readonly ChannelSync[];
  /** When the token expires (epoch ms); refresh with `auth` before then. Null: never. */
  readonly expiresAt: number | null;
  readonly limits: { readonly maxEventBytes: number; readonly maxDataBytes: number };
  /**
   * Why the relay cut the previous connection named in the request (SLOW_CONSUMER,
   * RATE_LIMITED, …), when it cut it (a notice sent at the time may never have been read).
   */
  readonly previous?: { readonly connectionId: string; readonly reason: WireError };
}

// ---- join / leave ----
export interface JoinRequest {
  readonly room: string;
  readonly since?: StreamPosition;
  /** Track this socket in the room's presence and receive presence events. */
  readonly presence?: boolean;
  /** Without `since` only: replay the room's recent events (`recovery`) before live ones. */
  readonly rewind?: RewindRequest;
}
export interface JoinResult extends ChannelSync {
  readonly room: string;
  /**
   * When the join asked for a rewind: `from` is where the replay in `recovery` starts (its first
   * message is the one after it); `truncated`: the history no longer held all that was asked.
   */
  readonly rewind?: { readonly from: StreamPosition; readonly truncated: boolean };
  /** The room's presence, when the join asked for it. */
  readonly members?: readonly PresenceEntry[];
}
export interface LeaveRequest {
  readonly room: string;
}
export type LeaveResult = Record<string, never>;

// ---- publish (browsers publish to rooms only) ----
export interface PublishRequest {
  /** Client-generated UUIDv7; the relay de-duplicates on it. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly room: string;
  readonly traceId?: string;
}
export interface PublishResult {
  readonly id: string;
  readonly offset: number;
  readonly epoch: string;
  /** The relay had already accepted this id; nothing was published again. */
  readonly duplicate: boolean;
}

// ---- history ----
export interface HistoryRequest {
  readonly channel: string;
  readonly since: StreamPosition;
  readonly limit?: number;
}
export interface HistoryResult extends RecoveryResult {
  readonly position: StreamPosition;
}

// ---- presence ----
export interface PresenceRequest {
  readonly room: string;
}
export interface PresenceEntry {
  readonly connectionId: string;
  readonly userId: string;
  /** Optional public profile from the token's `info` claim. */
  readonly info?: Readonly<Record<string, unknown>>;
}
export interface PresenceResult {
  readonly members: readonly PresenceEntry[];
}
export interface PresenceEvent extends PresenceEntry {
  readonly room: string;
  readonly action: "join" | "leave";
}

const MAX_PRESENCE_ID = 128;

/** Checks a presence entry's shape (relays check `$presence.*` data; clients check what relays send). */
export function isPresenceEntry(value: unknown): value is PresenceEntry {
  if (typeof value !== "object" || value === null) return false;
  const { connectionId, userId, info } = value as Record<string, unknown>;
  return (
    typeof connectionId === "string" &&
    connectionId.length <= MAX_PRESENCE_ID &&
    typeof userId === "string" &&
    userId.length <= MAX_PRESENCE_ID &&
    (info === undefined || (typeof info === "object" && info !== null && !Array.isArray(info)))
  );
}

/** Checks a `left` frame from a relay. */
export function isLeftEvent(value: unknown): value is LeftEvent {
  if (typeof value !== "object" || value === null) return false;
  const { room, error } = value as Record<string, unknown>;
  return typeof room === "string" && typeof error === "object" && error !== null;
}

/** Checks a `presence` frame from a relay. */
export function isPresenceEvent(value: unknown): value is PresenceEvent {
  if (!isPresenceEntry(value)) return false;
  const { room, action } = value as unknown as Record<string, unknown>;
  return (
    typeof room === "string" && room.length <= MAX_PRESENCE_ID && (action === "join" || action === "leave")
  );
}

// ---- auth (in-band token refresh) ----
export interface AuthRequest {
  readonly token: string;
}
export interface AuthResult {
  readonly expiresAt: number | null;
  /**
   * Own channels the new token added (roles): subscribed now, with their positions. Only when the
   * socket sent `hello` already.
   */
  readonly added?: readonly ChannelSync[];
  /** Own channels the new token no longer allows (roles): unsubscribed now. */
  readonly removed?: readonly string[];
}

/** Request and result types per client frame, for typed emit/ack helpers on both ends. */
export interface ClientFrameMap {
  hello: { request: HelloRequest; result: HelloResult };
  join: { request: JoinRequest; result: JoinResult };
  leave: { request: LeaveRequest; result: LeaveResult };
  publish: { request: PublishRequest; result: PublishResult };
  history: { request: HistoryRequest; result: HistoryResult };
  presence: { request: PresenceRequest; result: PresenceResult };
  auth: { request: AuthRequest; result: AuthResult };
}
export type ClientFrameName = keyof ClientFrameMap;

/**
 * System messages travel on ordinary channels but are not application events: their types start
 * with `$`, which application event types cannot. They are published live-only (never stored in
 * history) and consumed by the relay:
 *  - `$presence.join` / `$presence.leave` on a room channel, data: PresenceEntry;
 *  - `$session.revoke` on a user channel, data: { before: epoch ms }: disconnect the user's
 *    sockets whose token was issued before then.
 */
export const SYSTEM_TYPES = {
  presenceJoin: "$presence.join",
  presenceLeave: "$presence.leave",
  revoke: "$session.revoke",
} as const;

export function isSystemType(type: unknown): boolean {
  return typeof type === "string" && type.startsWith("$");
}

/** Largest history page the relay returns, whatever the client asks for. */
export const MAX_HISTORY_PAGE = 500;
