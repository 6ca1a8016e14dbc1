/**
 * Sharded subscriptions on a Redis Cluster: one SubscriberLink per master node that owns at
 * least one subscribed channel's slot, each channel SSUBSCRIBEd on its owner. When the topology
 * changes (failover, resharding — seen as a slots refresh, a MOVED reply or an unsolicited
 * SUNSUBSCRIBE), `rebalance()` moves every channel whose slot changed owner to the new owner,
 * waits for the confirmation, and reports the moved channels (their live delivery may have had
 * a gap). A node that restarts at the same address is handled by its link reconnecting.
 *
 * A subscription still waiting for its link follows its slot too: after a failover the slot map
 * may name the dead master, whose new link never becomes ready; the slot map is refreshed while a
 * link is connecting or down, and a pending subscription whose slot changed owner is withdrawn
 * from the dead node's link and made on the new owner (issue 21: joins no longer wait for the
 * subscribe timeout).
 */
import { type Clock, createRepeater, type Repeater } from "../../../common/clock.js";
import { EventBusError } from "../../../protocol/errors.js";
import { SubscriptionAbandoned } from "./redis-errors.js";
import { keySlot } from "./redis-slot.js";
import type { SubscriberLink } from "./redis-subscriber.js";

export interface ShardHost {
  /** The node key ("host:port") of the master owning `slot`, per the cluster's current slot map. */
  ownerOf(slot: number): string | undefined;
  /** A new (not yet started) link to the node with this key. */
  createLink(nodeKey: string): SubscriberLink;
  /** Asks the cluster client to reload its slot map; `rebalance()` should follow. */
  refreshTopology(): void;
  /** Channels that were subscribed again on another node. */
  moved(channels: readonly string[]): void;
  readonly clock: Clock;
}

const REFRESH_MS = 500;
/** How many times one subscribe may follow its slot to a new owner (a failover moves it once). */
const MAX_FOLLOWS = 8;

export class ShardSubscriptions {
  private readonly links = new Map<string, SubscriberLink>();
  private readonly owners = new Map<string, string>();
  /** Subscriptions still waiting for their link: the node each one waits on. */
  private readonly pending = new Map<string, string>();
  private rebalancing: Promise<void> = Promise.resolve();
  /** While a link is down: its node may be failing over, and only a slots refresh can tell. */
  private readonly refresher: Repeater;

  constructor(private readonly host: ShardHost) {
    this.refresher = createRepeater(host.clock, REFRESH_MS, () => host.refreshTopology());
  }

  /** False while a link that was ready is reconnecting (links still connecting for the first time do not count). */
  ready(): boolean {
    for (const link of this.links.values()) if (link.state === "down") return false;
    return true;
  }

  async add(channel: string): Promise<void> {
    for (let follows = 0; ; follows++) {
      const nodeKey = this.host.ownerOf(keySlot(channel));
      if (nodeKey === undefined || follows > MAX_FOLLOWS) {
        this.host.refreshTopology();
        throw new EventBusError(
          "BROKER_UNAVAILABLE",
          `No cluster node serves the slot of ${channel} right now.`,
        );
      }
      if (await this.subscribeOn(nodeKey, channel)) {
        this.owners.set(channel, nodeKey);
        return;
      }
    }
  }

  async remove(channel: string): Promise<void> {
    const nodeKey = this.owners.get(channel);
    this.owners.delete(channel);
    if (nodeKey !== undefined) await this.release(nodeKey, channel);
  }

  /** Moves channels whose slot changed owner. Serialised: one rebalance at a time. */
  rebalance(): Promise<void> {
    this.rebalancing = this.rebalancing.then(() => this.moveStrays());
    return this.rebalancing;
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.owners.clear();
    this.pending.clear();
    this.watchOutages();
  }

  /** True once subscribed on `nodeKey`; false when the slot moved away first (rebalance abandoned it). */
  private async subscribeOn(nodeKey: string, channel: string): Promise<boolean> {
    const link = this.link(nodeKey);
    this.pending.set(channel, nodeKey);
    let abandoned = false;
    try {
      await link.add("shard", channel);
    } catch (error) {
      if (!(error instanceof SubscriptionAbandoned)) throw error;
      abandoned = true;
    } finally {
      // Abandoned while the confirmation was on its way: it counts as abandoned too.
      if (this.pending.get(channel) === nodeKey) this.pending.delete(channel);
      else abandoned = true;
    }
    if (abandoned) await this.release(nodeKey, channel);
    return !abandoned;
  }

  /** Pending subscriptions whose slot changed owner leave the old node's link (subscribeOn retries). */
  private abandonStrays(): void {
    for (const [channel, nodeKey] of this.pending) {
      const to = this.host.ownerOf(keySlot(channel));
      if (to !== undefined && to !== nodeKey) {
        this.pending.delete(channel);
        this.links.get(nodeKey)?.abandon("shard", channel);
      }
    }
  }

  private async moveStrays(): Promise<void> {
    this.abandonStrays();
    const moves: Promise<{ channel: string; from: string } | null>[] = [];
    for (const [channel, from] of this.owners) {
      const to = this.host.ownerOf(keySlot(channel));
      if (to !== undefined && to !== from) moves.push(this.move(channel, from, to));
    }
    const moved = (await Promise.all(moves)).filter((m) => m !== null);
    if (moved.length === 0) return;
    // Reported before the old links go: closing the last one may make the broker ready again,
    // and `resubscribed` must then name these channels.
    this.host.moved(moved.map((m) => m.channel));
    await Promise.all(moved.map((m) => this.release(m.from, m.channel)));
  }

  /** Subscribes on the new owner; the caller releases the old one. */
  private async move(
    channel: string,
    from: string,
    to: string,
  ): Promise<{ channel: string; from: string } | null> {
    try {
      await this.link(to).add("shard", channel);
    } catch {
      return null; // stays with the old owner; the next refresh tries again
    }
    if (this.owners.get(channel) !== from) {
      // Unsubscribed (or moved) while we were moving it.
      if (!this.owners.has(channel)) await this.release(to, channel);
      return null;
    }
    this.owners.set(channel, to);
    return { channel, from };
  }

  private link(nodeKey: string): SubscriberLink {
    let link = this.links.get(nodeKey);
    if (!link) {
      link = this.host.createLink(nodeKey);
      this.links.set(nodeKey, link);
      link.on("moved", () => this.host.refreshTopology());
      link.on("state", (state) => {
        if (state === "down") this.host.refreshTopology();
        this.watchOutages();
      });
      link.begin();
    }
    return link;
  }

  private async release(nodeKey: string, channel: string): Promise<void> {
    const link = this.links.get(nodeKey);
    if (!link) return;
    await link.remove("shard", channel);
    if (link.wanted("shard").length === 0 && ![...this.owners.values()].includes(nodeKey)) {
      this.links.delete(nodeKey);
      link.close();
      this.watchOutages();
    }
  }

  /**
   * Refreshes the slot map every REFRESH_MS while some link is down or still connecting (a
   * failover moves its slots; a link opened from a stale slot map may point at a dead node).
   */
  private watchOutages(): void {
    const anyDown = [...this.links.values()].some(
      (link) => link.state === "down" || link.state === "connecting",
    );
    if (anyDown) this.refresher.start();
    else this.refresher.stop();
  }
}
