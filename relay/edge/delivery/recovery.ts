/**
 * Positions and recovery for one channel, read from the broker (all state lives there, so a client
 * recovers on any relay). Called after the socket is subscribed and in the socket.io room (join
 * sequence, docs/architecture.md): every message is then in history, or live, or both; the client
 * de-duplicates by offset.
 */
import type { ChannelSync, HistoryResult } from "../../../protocol/frames.js";
import type { LatestOnlyRules } from "../../../protocol/latest-only.js";
import type { StreamPosition } from "../../../protocol/position.js";
import type { Broker } from "../../brokers/broker.js";
import type { RelayMetrics } from "../operations/metrics.js";
import { conflatePage } from "./conflation.js";

export class Recovery {
  constructor(
    private readonly broker: Pick<Broker, "position" | "readHistory">,
    private readonly metrics: { readonly recoveries: Pick<RelayMetrics["recoveries"], "inc"> },
    /** Messages per page (join/hello answers and `history`). */
    readonly pageSize: number,
    /** Bytes per page (at least one message is always sent). */
    readonly pageBytes: number,
    /** Latest-only types: pages for sockets that understand it keep only the newest per key. */
    private readonly latestOnly: LatestOnlyRules = {},
  ) {}

  /** The channel's position, and the first page of what was missed since `since` when given. */
  async sync(
    channel: string,
    since: StreamPosition | undefined,
    maxBytes = this.pageBytes,
    conflate = false,
  ): Promise<ChannelSync> {
    if (since === undefined) return { channel, position: await this.broker.position(channel) };
    const page = await this.page(channel, since, this.pageSize, maxBytes, conflate);
    return {
      channel,
      position: page.position,
      recovery: { recovered: page.recovered, messages: page.messages, more: page.more },
    };
  }

  /** One page of history after `since` (the `history` frame and the first page of a recovery). */
  async page(
    channel: string,
    since: StreamPosition,
    limit: number,
    maxBytes = this.pageBytes,
    conflate = false,
  ): Promise<HistoryResult> {
    const result = await this.broker.readHistory(channel, since, limit, Math.max(1, maxBytes));
    const outcome = result.recovered ? "recovered" : result.diverged ? "rollback" : "gap";
    this.metrics.recoveries.inc({ outcome });
    return {
      position: result.position,
      recovered: result.recovered,
      messages: conflate ? conflatePage(this.latestOnly, result.messages) : result.messages,
      more: result.more,
    };
  }
}
