/**
 * `publish` from a socket (browsers publish to rooms only): validated, authorized by the token's
 * `publish` claim and the authorize hook (relay/auth/authorize.ts, through the session), built
 * into an envelope (id = the client's UUIDv7, source `client:<sub>`, userId = sub, room), written
 * through the broker's atomic history + publish path and de-duplicated by id (sending the same
 * message twice publishes it once).
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { encodeEvent } from "../../../protocol/codec.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { PublishResult } from "../../../protocol/frames.js";
import { type Limits, utf8ByteLength } from "../../../protocol/limits.js";
import type { Broker } from "../../brokers/broker.js";
import type { KeyedBuckets } from "../connection/limits.js";
import { parsePublish } from "../connection/validate-frames.js";
import type { RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { MemberSocket } from "../types.js";

export interface PublishDeps {
  readonly broker: Pick<Broker, "publishRecoverable">;
  readonly names: ChannelNames;
  readonly limits: Limits;
  /** Publish bytes per user on this relay (all its sockets; survives reconnects). */
  readonly budgets: KeyedBuckets;
  readonly metrics: Pick<RelayMetrics, "messagesIn">;
  readonly logger: RelayLogger;
}

export function publishHandler(deps: PublishDeps) {
  return async (socket: MemberSocket, request: unknown): Promise<PublishResult> => {
    const req = parsePublish(request);
    const session = socket.data.session;
    await session.assertAllowed("publish", req.room);
    const { json } = encodeEvent(
      {
        id: req.id,
        type: req.type,
        data: req.data,
        source: `client:${session.userId}`,
        userId: session.userId,
        room: req.room,
        traceId: req.traceId,
      },
      deps.limits,
    );
    const bytes = utf8ByteLength(json);
    if (!deps.budgets.take(session.userId, bytes)) {
      throw new EventBusError(
        "RATE_LIMITED",
        `User ${session.userId} is over its publish budget on this relay (bytes per second); retry later.`,
      );
    }
    const channel = deps.names.room(req.room);
    const result = await deps.broker.publishRecoverable(channel, json, { dedupId: req.id });
    deps.metrics.messagesIn.inc({ source: "client" });
    deps.logger.debug(
      {
        connectionId: socket.id,
        userId: session.userId,
        room: req.room,
        id: req.id,
        traceId: req.traceId ?? req.id,
      },
      result.duplicate ? "client publish de-duplicated" : "client publish",
    );
    return { id: req.id, offset: result.offset, epoch: result.epoch, duplicate: result.duplicate };
  };
}
