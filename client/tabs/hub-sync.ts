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
  /** The last live message with a position, per channel (parsed only when a tab attaches). */
  private readonly lastRaw = new Map<string, string>();

  sync(channel: string, position: StreamPosition): void {
    this.synced.set(channel, position);
    this.lastRaw.delete(channel);
  }

  live(channel: string, raw: string): void {
    if (raw.includes('"offset":')) this.lastRaw.set(channel, raw);
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

function positionOf(raw: string): StreamPosition | undefined {
  try {
    const { id, offset, epoch } = JSON.parse(raw) as Record<string, unknown>;
    const position = typeof id === "string" ? { offset, epoch, id } : { offset, epoch };
    return isStreamPosition(position) ? position : undefined;
  } catch {
    return undefined;
  }
}
