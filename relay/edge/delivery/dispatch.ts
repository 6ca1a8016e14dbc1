/**
 * The delivery folder (relay/edge/delivery/): broker messages to sockets (this file), where bytes
 * are written to sockets (fanout-adapter.ts, engine-internals.ts), recovery and history pages
 * (recovery.ts, history.ts), and slow consumers (slow-consumer.ts).
 *
 * What happens to each message the broker delivers: validated once per relay (never per socket),
 * then either consumed as a system message or forwarded to the socket.io room named after the
 * channel — `io.to(channel).emit`, which the fan-out adapter (fanout-adapter.ts) encodes once for
 * the whole room. Malformed messages are dropped, counted, and logged at most once a second per relay.
 */

import type { Clock } from "../../../common/clock.js";
import { createThrottle } from "../../../common/clock.js";
import type { ChannelNames } from "../../../protocol/channels.js";
import { type DecodedMessage, decodeMessage } from "../../../protocol/codec.js";
import type { EventEnvelope } from "../../../protocol/envelope.js";
import { isPresenceEntry, isSystemType, RELAY_FRAMES, SYSTEM_TYPES } from "../../../protocol/frames.js";
import type { Limits } from "../../../protocol/limits.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { isRevokeData } from "../../auth/revocation.js";
import { timestampReader } from "../operations/hot-metrics.js";
import type { RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import { presenceRoom } from "../rooms/presence.js";
import type { RelayServer } from "../types.js";
import type { Conflation } from "./conflation.js";

export interface DispatchDeps {
  readonly io: RelayServer;
  readonly names: ChannelNames;
  readonly limits: Limits;
  readonly metrics: Pick<RelayMetrics, "brokerMessagesIn" | "messagesOut" | "malformed" | "deliveryLatency">;
  readonly logger: RelayLogger;
  readonly clock: Clock;
  /** Disconnects the user's local sockets whose token was issued before `before` (epoch ms). */
  readonly revoke: (userId: string, before: number) => void;
  /** Watches live offsets for a rolled-back history (rollback-watch.ts); false: drop the message. */
  readonly rollback?: { live(channel: string, position: StreamPosition, id: string): boolean };
  /** Latest-only delivery to sockets that are behind (conflation.ts). */
  readonly conflation?: Pick<Conflation, "route">;
  /** Other readers of the channel (SSE streams, relay/edge/sse); returns how many got the message. */
  readonly others?: (
    channel: string,
    raw: string,
    position: StreamPosition | undefined,
    id: string,
  ) => number;
}

export type Dispatch = (channel: string, raw: string) => void;

export function createDispatcher(deps: DispatchDeps): Dispatch {
  const logMalformed = createThrottle(deps.clock, 1000);
  const rooms = deps.io.sockets.adapter.rooms;
  const { metrics } = deps;
  const readTimestamp = timestampReader();
  return (channel, raw) => {
    let decoded: DecodedMessage;
    try {
      decoded = decodeMessage(raw, deps.limits, { allowSystem: true });
    } catch (error) {
      deps.metrics.malformed.inc();
      if (logMalformed()) logDropped(deps.logger, channel, raw, error);
      return;
    }
    const { envelope } = decoded;
    if (isSystemType(envelope.type)) {
      handleSystem(deps, channel, envelope);
      return;
    }
    metrics.brokerMessagesIn.inc();
    if (decoded.position && deps.rollback?.live(channel, decoded.position, envelope.id) === false) return;
    const members = rooms.get(channel)?.size ?? 0;
    const others = deps.others?.(channel, raw, decoded.position, envelope.id) ?? 0;
    if (members + others === 0) return;
    if (members > 0) {
      const taken = decoded.position && deps.conflation?.route(channel, raw, envelope, decoded.position);
      if (!taken) deps.io.to(channel).emit(RELAY_FRAMES.message, channel, raw);
      else if (taken.length < members)
        deps.io.to(channel).except(taken).emit(RELAY_FRAMES.message, channel, raw);
      metrics.messagesOut.inc(members);
    }
    const sentAt = readTimestamp(envelope.metadata.timestamp);
    if (Number.isFinite(sentAt)) {
      metrics.deliveryLatency.observe(Math.max(0, deps.clock.now() - sentAt) / 1000);
    }
  };
}

function logDropped(logger: RelayLogger, channel: string, raw: string, error: unknown): void {
  logger.warn(
    { channel, bytes: raw.length, reason: error instanceof Error ? error.message : String(error) },
    "dropped a malformed message from the broker (further ones are counted, logged at most once a second)",
  );
}

function handleSystem(deps: DispatchDeps, channel: string, envelope: EventEnvelope): void {
  const parsed = deps.names.parse(channel);
  switch (envelope.type) {
    case SYSTEM_TYPES.presenceJoin:
    case SYSTEM_TYPES.presenceLeave:
      if (parsed?.kind !== "room" || !isPresenceEntry(envelope.data)) break;
      deps.io.to(presenceRoom(channel)).emit(RELAY_FRAMES.presence, {
        connectionId: envelope.data.connectionId,
        userId: envelope.data.userId,
        ...(envelope.data.info !== undefined && { info: envelope.data.info }),
        room: parsed.name,
        action: envelope.type === SYSTEM_TYPES.presenceJoin ? "join" : "leave",
      });
      return;
    case SYSTEM_TYPES.revoke:
      if (parsed?.kind !== "user" || !isRevokeData(envelope.data)) break;
      deps.revoke(parsed.name, envelope.data.before);
      return;
  }
  deps.logger.debug({ channel, type: envelope.type }, "ignored a system message");
}
