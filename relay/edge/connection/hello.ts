/**
 * `hello`: the socket's own channels — `user:{sub}`, `broadcast`, `role:{r}` per role — are
 * subscribed (confirmed by the broker), the socket joins their rooms, and their positions (and what
 * was missed since the positions the client sent) are answered. Sending `hello` again only re-syncs.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { HelloResult } from "../../../protocol/frames.js";
import type { Limits } from "../../../protocol/limits.js";
import type { Recovery } from "../delivery/recovery.js";
import type { ChannelHolds } from "../rooms/bridge.js";
import type { MemberSocket } from "../types.js";
import type { Session } from "./session.js";
import { parseHello } from "./validate-frames.js";

export interface HelloDeps {
  readonly names: ChannelNames;
  readonly channels: ChannelHolds;
  readonly recovery: Pick<Recovery, "sync">;
  readonly limits: Limits;
}

/** The channels a session receives without joining anything: its user, broadcast, its roles. */
export function ownChannels(names: ChannelNames, session: Session): string[] {
  return [
    names.user(session.userId),
    names.broadcast,
    ...session.token.roles.map((role) => names.role(role)),
  ];
}

/** Holds every channel, or none (the ones held are released when one fails). */
export async function acquireAll(channels: ChannelHolds, list: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(list.map((channel) => channels.acquire(channel)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (!failed) return;
  results.forEach((r, i) => {
    const channel = list[i];
    if (r.status === "fulfilled" && channel !== undefined) channels.release(channel);
  });
  throw failed.reason;
}

export function helloHandler(deps: HelloDeps) {
  return async (socket: MemberSocket, request: unknown): Promise<HelloResult> => {
    const { since = {} } = parseHello(request);
    const session = socket.data.session;
    return session.serial("hello", async () => {
      if (!session.ownChannels) {
        const channels = ownChannels(deps.names, session);
        await acquireAll(deps.channels, channels);
        if (session.closed) {
          for (const channel of channels) deps.channels.release(channel);
          throw new EventBusError("NOT_CONNECTED", "The socket disconnected during hello.");
        }
        session.ownChannels = channels;
        await socket.join(channels);
      }
      const syncs = await Promise.all(
        session.ownChannels.map((channel) => deps.recovery.sync(channel, since[channel])),
      );
      return {
        userId: session.userId,
        roles: session.token.roles,
        connectionId: socket.id,
        channels: syncs,
        expiresAt: session.token.expiresAt,
        limits: { maxEventBytes: deps.limits.maxEventBytes, maxDataBytes: deps.limits.maxDataBytes },
      };
    });
  };
}
