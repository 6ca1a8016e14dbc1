/**
 * Where a tab that attaches to a channel the hub already holds starts: the newest position the hub
 * knows (the last live message it forwarded, or the position its own hello/join answered), or a
 * replay from the tab's own position through `history`. Either way the tab is attached for live
 * messages first, so every later event is in the replay or arrives live (or both: the tab's
 * tracker drops the overlap by offset) — the relay's own join argument, one level down.
 */
import type { ChannelSync, HistoryResult } from "../../protocol/frames.js";
import { isStreamPosition, type StreamPosition } from "../../protocol/position.js";
import type { RequestFn } from "../transport.js";

export class HubPositions {
  /** The position each held channel was synced at (hello or join answer). */
  private readonly synced = new Map<string, StreamPosition>();
  /** The last live message with a position, per channel (checked only when a tab attaches). */
  private readonly lastRaw = new Map<string, object>();

  sync(channel: string, position: StreamPosition): void {
    this.synced.set(channel, position);
    this.lastRaw.delete(channel);
  }

  /** `message`: a live frame's envelope object (protocol 3), not yet validated. */
  live(channel: string, message: unknown): void {
    if (typeof message === "object" && message !== null && "offset" in message)
      this.lastRaw.set(channel, message);
  }

  forget(channel: string): void {
    this.synced.delete(channel);
    this.lastRaw.delete(channel);
  }

  clear(): void {
    this.synced.clear();
    this.lastRaw.clear();
  }

  /** The newest position the hub knows for a channel it holds. */
  current(channel: string): StreamPosition | undefined {
    const base = this.synced.get(channel);
    const raw = this.lastRaw.get(channel);
    const live = raw === undefined ? undefined : positionOf(raw);
    if (!live) return base;
    if (base && live.epoch === base.epoch && live.offset <= base.offset) return base;
    return live;
  }

  /** A channel sync for a tab attaching now: the current position, or a replay from `since`. */
  async attach(request: RequestFn, channel: string, since: StreamPosition | undefined): Promise<ChannelSync> {
    const current = this.current(channel);
    if (since === undefined && current) return { channel, position: current };
    // Not held yet (cannot happen once synced): ask the relay where the channel stands.
    const from = since ?? { offset: 0, epoch: "unknown" };
    const result: HistoryResult = await request("history", {
      channel,
      since: from,
      ...(since === undefined && { limit: 1 }),
    });
    const { recovered, messages, more, position } = result;
    if (since === undefined) return { channel, position };
    return { channel, position, recovery: { recovered, messages, more } };
  }
}

function positionOf(message: object): StreamPosition | undefined {
  const { id, offset, epoch } = message as Record<string, unknown>;
  const position = typeof id === "string" ? { offset, epoch, id } : { offset, epoch };
  return isStreamPosition(position) ? position : undefined;
}
