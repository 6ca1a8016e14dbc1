/**
 * Latest-only delivery (protocol/latest-only.ts): a socket that is behind gets only the newest event
 * per key of a latest-only type, not every one queued behind the others.
 *
 * Per socket and channel, a hold keeps the newest undelivered message per key while the socket is
 * behind (more than `behindBytes` queued, or packets waiting in engine.io). The relay sees every
 * message of a held channel in order, so:
 *   - a latest-only message replaces the held one of its key (counted as conflated);
 *   - any other message first writes the held ones (offset order), then itself — non-conflated
 *     events keep exactly-once order around the conflated ones, and a `completed` never overtakes
 *     its photo's last progress;
 *   - once the socket has drained (polled every POLL_MS while holds exist) the held ones are written
 *     and the hold ends.
 * Each message written after skipped offsets carries `after`, the offset of the previous message
 * written to that socket on that channel (protocol version 2), so the client does not take the skip
 * for a gap. A hold is only started on a message whose predecessor this relay dispatched, and ends
 * (written without `after`) when an offset arrives out of sequence: a relay that missed messages
 * itself never vouches for a hole. Memory per socket: at most `maxKeys` held messages, past which the
 * hold is written out (the slow-consumer limits then apply as for any socket).
 * Recovery pages are conflated too (`conflatePage`): only the newest per key within one page.
 */
import { type Clock, createRepeater } from "../../../common/clock.js";
import type { EventEnvelope } from "../../../protocol/envelope.js";
import { type LatestOnlyRules, latestOnlyKey } from "../../../protocol/latest-only.js";
import type { StreamPosition } from "../../../protocol/position.js";
import type { RelayServer, RelaySocket } from "../types.js";
import { engineBacklog } from "./engine-internals.js";
import { messagePacket } from "./message-packet.js";

const POLL_MS = 20;

export interface ConflationOptions {
  readonly rules: LatestOnlyRules;
  /** Queued bytes over which a socket counts as behind. */
  readonly behindBytes: number;
  /** Held messages per socket before the hold is written out anyway. */
  readonly maxKeys: number;
}

interface Held {
  readonly offset: number;
  readonly raw: string;
}

interface Hold {
  readonly epoch: string;
  /** Offset of the last message written to the socket on this channel. */
  lastSent: number;
  /** Offset of the last message seen on this channel (written or held or superseded). */
  lastSeen: number;
  readonly pending: Map<string, Held>;
}

export interface Conflation {
  /**
   * Routes a message with a position; returns the ids of the sockets it took care of (held or
   * written here): the broadcast must skip them. Undefined: nothing to skip.
   */
  route(
    channel: string,
    raw: string,
    envelope: EventEnvelope,
    position: StreamPosition,
  ): string[] | undefined;
  /** Held messages of every socket (for tests and metrics). */
  heldCount(socketId?: string): number;
  stop(): void;
}

export function createConflation(
  io: RelayServer,
  options: ConflationOptions,
  clock: Clock,
  onConflated: () => void,
): Conflation {
  const holds = new Map<string, Map<string, Hold>>();
  const holders = new Map<string, Set<string>>();
  /** Last offset dispatched per channel that carried a latest-only message. */
  const lastDispatched = new Map<string, StreamPosition>();
  const sockets = io.sockets.sockets;
  const rooms = io.sockets.adapter.rooms;
  const poller = createRepeater(clock, POLL_MS, () => drainAll());

  const behind = (socket: RelaySocket): boolean => {
    const backlog = engineBacklog(socket.conn);
    return backlog.packets > 0 || backlog.bytes > options.behindBytes;
  };

  const end = (id: string, channel: string): void => {
    const perSocket = holds.get(id);
    perSocket?.delete(channel);
    if (perSocket?.size === 0) holds.delete(id);
    const set = holders.get(channel);
    set?.delete(id);
    if (set?.size === 0) holders.delete(channel);
    if (holds.size === 0) poller.stop();
  };

  const send = (socket: RelaySocket, channel: string, hold: Hold, raw: string, offset: number): void => {
    // The packet socket.emit would write, with the message's JSON text spliced in (message-packet.ts).
    const after = hold.lastSent === offset - 1 ? undefined : hold.lastSent;
    socket.conn.write(messagePacket(channel, raw, after));
    hold.lastSent = offset;
  };

  const writeOut = (socket: RelaySocket, channel: string, hold: Hold): void => {
    const held = [...hold.pending.values()].sort((a, b) => a.offset - b.offset);
    hold.pending.clear();
    for (const message of held) send(socket, channel, hold, message.raw, message.offset);
  };

  const drainAll = (): void => {
    for (const [id, perSocket] of [...holds]) {
      const socket = sockets.get(id);
      for (const [channel, hold] of [...perSocket]) {
        if (!socket?.connected || !rooms.get(channel)?.has(id)) {
          end(id, channel);
          continue;
        }
        if (behind(socket)) continue;
        writeOut(socket, channel, hold);
        end(id, channel);
      }
    }
  };

  const start = (id: string, channel: string, hold: Hold): void => {
    const perSocket = holds.get(id) ?? new Map<string, Hold>();
    holds.set(id, perSocket);
    perSocket.set(channel, hold);
    const set = holders.get(channel) ?? new Set<string>();
    holders.set(channel, set);
    set.add(id);
    poller.start();
  };

  const total = (id: string): number => {
    let count = 0;
    for (const hold of holds.get(id)?.values() ?? []) count += hold.pending.size;
    return count;
  };

  /** A message on a channel this socket holds; false: the hold ended, let the broadcast send it. */
  const routeHeld = (
    id: string,
    channel: string,
    key: string | undefined,
    raw: string,
    p: StreamPosition,
  ) => {
    const socket = sockets.get(id);
    const hold = holds.get(id)?.get(channel);
    if (!socket?.connected || !hold || !rooms.get(channel)?.has(id)) {
      end(id, channel);
      return false;
    }
    const inSequence = p.epoch === hold.epoch && p.offset === hold.lastSeen + 1;
    if (!inSequence) {
      writeOut(socket, channel, hold);
      end(id, channel);
      return false;
    }
    hold.lastSeen = p.offset;
    if (key !== undefined && total(id) < options.maxKeys) {
      if (hold.pending.delete(key)) onConflated();
      hold.pending.set(key, { offset: p.offset, raw });
      return true;
    }
    writeOut(socket, channel, hold);
    send(socket, channel, hold, raw, p.offset);
    if (key === undefined) end(id, channel);
    return true;
  };

  const startHolds = (channel: string, key: string, raw: string, p: StreamPosition, taken: string[]) => {
    const previous = lastDispatched.get(channel);
    if (previous?.epoch !== p.epoch || previous.offset !== p.offset - 1) return;
    const members = rooms.get(channel);
    const held = holders.get(channel);
    for (const id of members ?? []) {
      if (held?.has(id)) continue;
      const socket = sockets.get(id);
      if (!socket?.connected || socket.data.session.protocol < 2 || !behind(socket)) continue;
      const pending = new Map([[key, { offset: p.offset, raw }]]);
      start(id, channel, { epoch: p.epoch, lastSent: p.offset - 1, lastSeen: p.offset, pending });
      taken.push(id);
    }
  };

  return {
    route(channel, raw, envelope, position) {
      const key = latestOnlyKey(options.rules, envelope);
      const held = holders.get(channel);
      if (key === undefined && !held && !lastDispatched.has(channel)) return undefined;
      const taken: string[] = [];
      for (const id of [...(held ?? [])]) if (routeHeld(id, channel, key, raw, position)) taken.push(id);
      if (key !== undefined) startHolds(channel, key, raw, position, taken);
      if (key !== undefined || lastDispatched.has(channel)) remember(channel, position);
      return taken.length > 0 ? taken : undefined;
    },
    heldCount(socketId) {
      if (socketId !== undefined) return total(socketId);
      let count = 0;
      for (const id of holds.keys()) count += total(id);
      return count;
    },
    stop() {
      poller.stop();
      holds.clear();
      holders.clear();
    },
  };

  function remember(channel: string, position: StreamPosition): void {
    if (!rooms.has(channel)) {
      lastDispatched.delete(channel);
      return;
    }
    lastDispatched.set(channel, position);
  }
}

/** Drops each latest-only message of the page that a later one of the same key supersedes. */
export function conflatePage(rules: LatestOnlyRules, messages: readonly string[]): readonly string[] {
  if (messages.length < 2 || Object.keys(rules).length === 0) return messages;
  const keys = messages.map((raw) => keyOf(rules, raw));
  const seen = new Set<string>();
  const keep: boolean[] = new Array(messages.length).fill(true);
  for (let i = messages.length - 1; i >= 0; i--) {
    const key = keys[i];
    if (key === undefined) continue;
    if (seen.has(key)) keep[i] = false;
    else seen.add(key);
  }
  return messages.filter((_, i) => keep[i]);
}

function keyOf(rules: LatestOnlyRules, raw: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const event = parsed as { type?: unknown; data?: unknown; metadata?: unknown };
    return typeof event.type === "string" ? latestOnlyKey(rules, { ...event, type: event.type }) : undefined;
  } catch {
    return undefined;
  }
}
