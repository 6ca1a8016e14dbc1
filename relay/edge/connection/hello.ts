/**
 * `hello`: the socket's own channels — `user:{sub}`, `broadcast`, `role:{r}` per role — are
 * subscribed (confirmed by the broker), the socket joins their rooms, and their positions (and what
 * was missed since the positions the client sent) are answered. Sending `hello` again only re-syncs.
 */
import { EventBusError } from "../../../protocol/errors.js";
import type { HelloResult } from "../../../protocol/frames.js";
import { syncChannel } from "../delivery/recovery.js";
import type { RelayContext, RelaySocket } from "../types.js";
import type { Session } from "./session.js";
import { parseHello } from "./validate-frames.js";

export function ownChannels(ctx: RelayContext, session: Session): string[] {
  return [
    ctx.names.user(session.userId),
    ctx.names.broadcast,
    ...session.token.roles.map((role) => ctx.names.role(role)),
  ];
}

export async function acquireAll(ctx: RelayContext, channels: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(channels.map((channel) => ctx.bridge.acquire(channel)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (!failed) return;
  results.forEach((r, i) => {
    const channel = channels[i];
    if (r.status === "fulfilled" && channel !== undefined) ctx.bridge.release(channel);
  });
  throw failed.reason;
}

export async function hello(ctx: RelayContext, socket: RelaySocket, request: unknown): Promise<HelloResult> {
  const { since = {} } = parseHello(request);
  const session = socket.data.session;
  return session.serial("hello", async () => {
    if (!session.ownChannels) {
      const channels = ownChannels(ctx, session);
      await acquireAll(ctx, channels);
      if (session.closed) {
        for (const channel of channels) ctx.bridge.release(channel);
        throw new EventBusError("NOT_CONNECTED", "The socket disconnected during hello.");
      }
      session.ownChannels = channels;
      await socket.join(channels);
    }
    const channels = session.ownChannels;
    const syncs = await Promise.all(
      channels.map((channel) =>
        syncChannel(ctx.broker, ctx.metrics, channel, since[channel], ctx.options.recoveryPageSize),
      ),
    );
    return {
      userId: session.userId,
      roles: session.token.roles,
      connectionId: socket.id,
      channels: syncs,
      expiresAt: session.token.expiresAt,
      limits: { maxEventBytes: ctx.limits.maxEventBytes, maxDataBytes: ctx.limits.maxDataBytes },
    };
  });
}
