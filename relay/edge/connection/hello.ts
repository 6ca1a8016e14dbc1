/**
 * `hello`: the socket's own channels — `user:{sub}`, `broadcast`, `role:{r}` per role — are
 * subscribed (confirmed by the broker), the socket joins their rooms, and their positions (and what
 * was missed since the positions the client sent) are answered. Sending `hello` again only re-syncs.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { ChannelSync, HelloResult } from "../../../protocol/frames.js";
import type { Limits } from "../../../protocol/limits.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { type Pacer, pageBytes, pageCost } from "../delivery/pacing.js";
import type { Recovery } from "../delivery/recovery.js";
import type { RelayLimits } from "../options.js";
import type { ChannelHolds } from "../rooms/bridge.js";
import type { MemberSocket } from "../types.js";
import type { CutReasons } from "./cut-reasons.js";
import type { Session } from "./session.js";
import { parseHello } from "./validate-frames.js";

export interface HelloDeps {
  readonly names: ChannelNames;
  readonly channels: ChannelHolds;
  readonly recovery: Pick<Recovery, "sync" | "pageBytes">;
  readonly pacer: Pacer;
  readonly limits: Limits & Pick<RelayLimits, "historyCostBytes">;
  readonly cutReasons: Pick<CutReasons, "lookup">;
}

/** The channels a session receives without joining anything: its user, broadcast, its roles. */
export function ownChannels(names: ChannelNames, session: Pick<Session, "userId" | "token">): string[] {
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

/**
 * Positions of every own channel, and what was missed since the positions sent: recovery pages share
 * one byte budget (each channel still gets at least one message), after the socket has room for them.
 */
async function syncAll(
  deps: HelloDeps,
  socket: MemberSocket,
  channels: readonly string[],
  since: Readonly<Record<string, StreamPosition>>,
): Promise<ChannelSync[]> {
  if (!channels.some((channel) => since[channel] !== undefined)) {
    return Promise.all(channels.map((channel) => deps.recovery.sync(channel, undefined)));
  }
  await deps.pacer.room(socket.conn);
  let budget = deps.recovery.pageBytes;
  let spent = 0;
  const syncs: ChannelSync[] = [];
  for (const channel of channels) {
    const conflate = socket.data.session.protocol >= 2;
    const sync = await deps.recovery.sync(channel, since[channel], Math.max(1, budget), conflate);
    const bytes = pageBytes(sync.recovery);
    budget -= bytes;
    spent += bytes;
    syncs.push(sync);
  }
  socket.data.session.limiter.charge(pageCost(spent, deps.limits));
  return syncs;
}

/** Why the client's previous connection was cut, when the relay cut it. */
async function previousCut(
  deps: HelloDeps,
  session: Session,
  previous: string | undefined,
): Promise<Pick<HelloResult, "previous">> {
  if (previous === undefined) return {};
  const reason = await deps.cutReasons.lookup(session.userId, previous);
  return reason ? { previous: { connectionId: previous, reason } } : {};
}

export function helloHandler(deps: HelloDeps) {
  return async (socket: MemberSocket, request: unknown): Promise<HelloResult> => {
    const { since = {}, previous } = parseHello(request);
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
      const syncs = await syncAll(deps, socket, session.ownChannels, since);
      return {
        userId: session.userId,
        roles: session.token.roles,
        connectionId: socket.id,
        channels: syncs,
        expiresAt: session.token.expiresAt,
        limits: { maxEventBytes: deps.limits.maxEventBytes, maxDataBytes: deps.limits.maxDataBytes },
        ...(await previousCut(deps, session, previous)),
      };
    });
  };
}
