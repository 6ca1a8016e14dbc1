/**
 * Channel names and the Redis keys that belong to them — the Redis contract that backends in
 * any language publish to:
 *
 *   {prefix}{eventType}     service-to-service events, live only (e.g. `photo.uploaded`)
 *   {prefix}user:{userId}   one user's devices              (recoverable)
 *   {prefix}room:{room}     members of a room (`photo:1` → `room:photo:1`)  (recoverable)
 *   {prefix}role:{role}     every socket whose token has the role          (recoverable)
 *   {prefix}broadcast       every connected socket                         (recoverable)
 *
 * Keys of a recoverable channel wrap the full channel name in a Redis Cluster hash tag
 * (`{room:photo:1}:history`), so they hash to the same slot as the channel itself and one
 * script can append to the stream and SPUBLISH atomically.
 */
import { HINTS_INCLUDED } from "./build-mode.js";
import { EventBusError } from "./errors.js";
import {
  assertEventType,
  assertRoleName,
  assertRoomName,
  assertUserId,
  describeValue,
  isEventType,
  isRoleName,
  isRoomName,
  isUserId,
} from "./names.js";

export type ChannelKind = "event" | "user" | "room" | "role" | "broadcast";

export interface ParsedChannel {
  readonly kind: ChannelKind;
  /** The event type, user id, room name or role; empty for broadcast. */
  readonly name: string;
  readonly recoverable: boolean;
}

/**
 * A prefix is empty or one label and a colon (`app1:`). Then two different prefixes can never
 * address each other's channels: a prefixed channel starts with `<label>:`, an unprefixed one with
 * a channel kind (`user:`, `room:`, `role:`), `broadcast` or an event type (which has no colon),
 * and a label is never a kind or a reserved key name; labels have no colon, so `t1:` and
 * `t1:room:x:` cannot both be prefixes.
 */
const PREFIX = /^(?:[A-Za-z0-9_-]{1,63}:)?$/;
const RESERVED_LABELS: ReadonlySet<string> = new Set(["user", "room", "role", "broadcast", "dead-letters"]);
const BROADCAST = "broadcast";

/** Throws CONFIG_INVALID unless `prefix` follows the rule above. */
export function assertPrefix(prefix: string): void {
  if (PREFIX.test(prefix) && !RESERVED_LABELS.has(prefix.slice(0, -1))) return;
  throw new EventBusError(
    "CONFIG_INVALID",
    `Channel prefix ${describeValue(prefix)} must be empty or a label and a colon, e.g. "app1:" (1-63 letters, digits, _ or -, not ${[...RESERVED_LABELS].join(", ")})${HINTS_INCLUDED ? ", so that tenants with different prefixes can never read each other's channels" : ""}.`,
  );
}

export interface ChannelNames {
  readonly prefix: string;
  event(type: string): string;
  user(userId: string): string;
  room(room: string): string;
  role(role: string): string;
  readonly broadcast: string;
  /** Classifies a full channel name; null when it is not a channel of this bus. */
  parse(channel: string): ParsedChannel | null;
  /** Whether the channel keeps history (user, room, role, broadcast). */
  isRecoverable(channel: string): boolean;
}

/** Channel names for one prefix (default: none). Validates every name it builds. */
export function channelNames(prefix = ""): ChannelNames {
  assertPrefix(prefix);
  const parse = (channel: string): ParsedChannel | null => parseChannel(prefix, channel);
  return {
    prefix,
    event(type) {
      assertEventType(type);
      return prefix + type;
    },
    user(userId) {
      assertUserId(userId);
      return `${prefix}user:${userId}`;
    },
    room(room) {
      assertRoomName(room);
      return `${prefix}room:${room}`;
    },
    role(role) {
      assertRoleName(role);
      return `${prefix}role:${role}`;
    },
    broadcast: prefix + BROADCAST,
    parse,
    isRecoverable: (channel) => parse(channel)?.recoverable === true,
  };
}

function parseChannel(prefix: string, channel: string): ParsedChannel | null {
  if (!channel.startsWith(prefix)) return null;
  const rest = channel.slice(prefix.length);
  if (rest === BROADCAST) return { kind: "broadcast", name: "", recoverable: true };
  const colon = rest.indexOf(":");
  if (colon === -1) return isEventType(rest) ? { kind: "event", name: rest, recoverable: false } : null;
  const head = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (head === "user" && isUserId(name)) return { kind: "user", name, recoverable: true };
  if (head === "room" && isRoomName(name)) return { kind: "room", name, recoverable: true };
  if (head === "role" && isRoleName(name)) return { kind: "role", name, recoverable: true };
  return null;
}

/** Redis keys that belong to one channel; all share the channel's hash tag. */
export interface ChannelKeys {
  /** Capped stream holding the channel's recent envelopes; entry ids are the offsets. */
  readonly history: string;
  /** String holding the stream's epoch; it changes whenever history was lost. */
  readonly epoch: string;
  /** Hash of connection id → presence record, for rooms. */
  readonly presence: string;
  /** Prefix of de-duplication keys for client message ids (`{dedup}{id}`). */
  readonly dedup: string;
  /** For user channels: epoch-millis before which the user's tokens are revoked. */
  readonly revokedBefore: string;
  /** For user channels: prefix of `{cut}{connectionId}` → the code the relay cut that connection with. */
  readonly cut: string;
}

export function channelKeys(channel: string): ChannelKeys {
  if (channel.includes("{") || channel.includes("}")) {
    throw new EventBusError("INVALID_CHANNEL", `Channel ${describeValue(channel)} must not contain braces.`);
  }
  const tag = `{${channel}}`;
  return {
    history: `${tag}:history`,
    epoch: `${tag}:epoch`,
    presence: `${tag}:presence`,
    dedup: `${tag}:dedup:`,
    revokedBefore: `${tag}:revoked-before`,
    cut: `${tag}:cut:`,
  };
}

/** The key of a backend service's dead-letter stream. */
export function deadLetterKey(prefix: string, serviceName: string): string {
  return `${prefix}dead-letters:${serviceName}`;
}

/**
 * Keys of an event type's group stream (backend consumer groups, docs/backend.md). Both wrap the
 * full channel name in a hash tag, so on a Redis Cluster each event type's stream lives in its own
 * slot and one script can check the config, append and PUBLISH atomically.
 */
export interface EventStreamKeys {
  /** The stream every publish of the type is appended to while the type has consumer groups. */
  readonly stream: string;
  /** Hash with the stream's bounds (`maxlen`, `maxage` ms); it exists exactly while groups are wanted. */
  readonly config: string;
}

export function eventStreamKeys(channel: string): EventStreamKeys {
  if (channel.includes("{") || channel.includes("}")) {
    throw new EventBusError("INVALID_CHANNEL", `Channel ${describeValue(channel)} must not contain braces.`);
  }
  return { stream: `{${channel}}:events`, config: `{${channel}}:events:config` };
}
