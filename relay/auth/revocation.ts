/**
 * Session revocation from a backend. `revokeUserSessions(broker, userId)`:
 *  1. stores `{user:<id>}:revoked-before` = now (epoch ms), so every relay's handshake refuses the
 *     user's tokens issued before then (TOKEN_REVOKED) for as long as tokens live;
 *  2. publishes `$session.revoke` `{ before }` live on `user:<id>`, so every relay disconnects the
 *     user's sockets holding such tokens, at once.
 * A token whose `iat` second starts before the revocation time is revoked, so a token issued in the
 * same second as the revocation is refused too (sign in again a second later).
 */
import { channelKeys, channelNames } from "../../protocol/channels.js";
import { encodeEvent } from "../../protocol/codec.js";
import { SYSTEM_TYPES } from "../../protocol/frames.js";
import type { Broker } from "../brokers/broker.js";

export interface RevokeOptions {
  /** Channel prefix shared with the relays. Default "". */
  readonly prefix?: string;
  /** Revoke tokens issued before this time (epoch ms). Default now. */
  readonly before?: number;
  /** How long handshakes keep refusing old tokens: at least your longest token lifetime. Default 24 h. */
  readonly ttlMs?: number;
  /** `metadata.source` of the control message. Default "event-bus". */
  readonly source?: string;
}

export interface RevokeData {
  readonly before: number;
}

/** Revokes every session of a user on every relay. Resolves once both steps reached the broker. */
export async function revokeUserSessions(
  broker: Broker,
  userId: string,
  options: RevokeOptions = {},
): Promise<void> {
  const channel = channelNames(options.prefix ?? "").user(userId);
  const before = options.before ?? Date.now();
  await broker.setValue(channelKeys(channel).revokedBefore, String(before), options.ttlMs ?? 24 * 3600_000);
  const data: RevokeData = { before };
  const { json } = encodeEvent(
    { type: SYSTEM_TYPES.revoke, data, source: options.source ?? "event-bus", userId },
    undefined,
    { allowSystem: true },
  );
  await broker.publish(channel, json);
}

/** The user's revoked-before time (epoch ms), or null. */
export async function revokedBefore(broker: Broker, userChannel: string): Promise<number | null> {
  const value = await broker.getValue(channelKeys(userChannel).revokedBefore);
  if (value === null) return null;
  const before = Number(value);
  return Number.isFinite(before) ? before : null;
}

/** Whether a token issued at `issuedAt` (epoch ms, null if unknown) is revoked by `before`. */
export function isRevoked(issuedAt: number | null, before: number | null): boolean {
  if (before === null) return false;
  return issuedAt === null || issuedAt < before;
}

export function isRevokeData(value: unknown): value is RevokeData {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { before?: unknown }).before === "number" &&
    Number.isFinite((value as { before: number }).before)
  );
}
