/**
 * Why the relay cut a connection, for the client's next connection: a slow consumer's `notice` is
 * dropped with its backlog, so the reason is also stored in the broker under the user's channel
 * (`{user:<id>}:cut:<connectionId>`, a few minutes) and returned by `hello` when the client names
 * its previous connection. Keyed by user: nobody learns about another user's connections.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { channelKeys } from "../../../protocol/channels.js";
import { EventBusError, isErrorCode, type WireError } from "../../../protocol/errors.js";
import type { Broker } from "../../brokers/broker.js";

/** How long a cut reason is kept for the next connection. */
export const CUT_REASON_TTL_MS = 5 * 60_000;
const MAX_CONNECTION_ID = 64;

export interface CutReasons {
  remember(userId: string, connectionId: string, notice: WireError): void;
  /** The reason the user's connection `connectionId` was cut, if the relay cut it recently. */
  lookup(userId: string, connectionId: string): Promise<WireError | undefined>;
}

export function createCutReasons(
  broker: Pick<Broker, "setValue" | "getValue">,
  names: ChannelNames,
  onError: (error: unknown) => void,
): CutReasons {
  const key = (userId: string, connectionId: string) => channelKeys(names.user(userId)).cut + connectionId;
  return {
    remember(userId, connectionId, notice) {
      broker.setValue(key(userId, connectionId), JSON.stringify(notice), CUT_REASON_TTL_MS).catch(onError);
    },
    async lookup(userId, connectionId) {
      if (connectionId.length === 0 || connectionId.length > MAX_CONNECTION_ID) return undefined;
      const value = await broker.getValue(key(userId, connectionId));
      if (value === null) return undefined;
      try {
        const parsed = JSON.parse(value) as { code?: unknown };
        return isErrorCode(parsed.code) ? EventBusError.fromWire(parsed).toWire() : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
