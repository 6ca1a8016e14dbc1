/**
 * What happens to each message the broker delivers: validated once per relay (never per socket),
 * then either consumed as a system message or forwarded to the socket.io room named after the
 * channel, encoded once for the whole room (fanout.ts) — the relay never re-serialises a message per
 * socket. Malformed messages are dropped, logged (throttled) and counted.
 */
import { type DecodedMessage, decodeMessage } from "../../../protocol/codec.js";
import type { EventEnvelope } from "../../../protocol/envelope.js";
import { isSystemType, RELAY_FRAMES, SYSTEM_TYPES } from "../../../protocol/frames.js";
import { isRevokeData, isRevoked } from "../../auth/revocation.js";
import { kick } from "../connection/kick.js";
import { isPresenceEntry } from "../rooms/presence.js";
import type { RelayContext } from "../types.js";
import { encodeMessage } from "./fanout.js";

/** The socket.io room of the sockets that asked for a room channel's presence events. */
export const presenceRoom = (channel: string): string => `${channel}#presence`;

let lastMalformedLog = 0;

export function dispatchMessage(ctx: RelayContext, channel: string, raw: string): void {
  let decoded: DecodedMessage;
  try {
    decoded = decodeMessage(raw, ctx.limits, { allowSystem: true });
  } catch (error) {
    dropMalformed(ctx, channel, raw, error);
    return;
  }
  const { envelope } = decoded;
  if (isSystemType(envelope.type)) {
    handleSystem(ctx, channel, envelope);
    return;
  }
  ctx.metrics.messagesIn.inc({ source: "broker" });
  const members = ctx.io.sockets.adapter.rooms.get(channel)?.size ?? 0;
  if (members === 0) return;
  if (ctx.options.directFanout) ctx.fanout.send(channel, encodeMessage(ctx.io, channel, raw));
  else ctx.io.to(channel).emit(RELAY_FRAMES.message, channel, raw);
  ctx.metrics.messagesOut.inc(members);
  const sentAt = Date.parse(envelope.metadata.timestamp);
  if (Number.isFinite(sentAt)) ctx.metrics.deliveryLatency.observe(Math.max(0, Date.now() - sentAt) / 1000);
}

function dropMalformed(ctx: RelayContext, channel: string, raw: string, error: unknown): void {
  ctx.metrics.malformed.inc();
  const now = Date.now();
  if (now - lastMalformedLog < 1000) return;
  lastMalformedLog = now;
  ctx.logger.warn(
    { channel, bytes: raw.length, reason: error instanceof Error ? error.message : String(error) },
    "dropped a malformed message from the broker (further ones are counted, logged at most once a second)",
  );
}

function handleSystem(ctx: RelayContext, channel: string, envelope: EventEnvelope): void {
  const parsed = ctx.names.parse(channel);
  switch (envelope.type) {
    case SYSTEM_TYPES.presenceJoin:
    case SYSTEM_TYPES.presenceLeave:
      if (parsed?.kind !== "room" || !isPresenceEntry(envelope.data)) break;
      ctx.io.to(presenceRoom(channel)).emit(RELAY_FRAMES.presence, {
        connectionId: envelope.data.connectionId,
        userId: envelope.data.userId,
        ...(envelope.data.info !== undefined && { info: envelope.data.info }),
        room: parsed.name,
        action: envelope.type === SYSTEM_TYPES.presenceJoin ? "join" : "leave",
      });
      return;
    case SYSTEM_TYPES.revoke:
      if (parsed?.kind !== "user" || !isRevokeData(envelope.data)) break;
      revokeLocal(ctx, parsed.name, envelope.data.before);
      return;
  }
  ctx.logger.debug({ channel, type: envelope.type }, "ignored a system message");
}

function revokeLocal(ctx: RelayContext, userId: string, before: number): void {
  for (const socket of ctx.users.of(userId)) {
    if (isRevoked(socket.data.session.token.issuedAt, before)) {
      kick(ctx, socket, "TOKEN_REVOKED");
    }
  }
}
