/**
 * The broker on a Redis Cluster. Commands (scripts, PUBLISH, history, presence, logs) go through
 * an ioredis `Cluster`, which routes each by slot; every recoverable channel's keys share the
 * `{<channel>}` hash tag, so its script runs on the one node that owns the channel and SPUBLISHes
 * there.
 *
 * Subscriptions use links this broker manages itself (redis-subscriber.ts), so that every
 * (re)subscription is confirmed before it reports `ready`/`resubscribed`:
 *   - recoverable channels (user, room, role, broadcast — classified with the configured
 *     `prefix`) → SSUBSCRIBE on the master that owns the channel's slot (redis-shards.ts);
 *   - event-type channels and patterns → classic SUBSCRIBE/PSUBSCRIBE on one link to any master
 *     (the cluster bus forwards classic PUBLISH everywhere), moving to another master if its node
 *     goes away.
 * So a pattern sees only classic-PUBLISHed channels on a cluster, and a raw publisher in another
 * language must SPUBLISH to a recoverable channel (docs/backend.md). Classic PUBLISHes all enter
 * the cluster at one node (see ingressNode), which keeps them in order; an event-type publish also
 * appends to its type's group stream on the type's own node first (cluster-events.ts).
 *
 * ioredis's own `shardedSubscribers` option is not used: it resubscribes after topology changes
 * without waiting for Redis to confirm, so a broker built on it could not say when live delivery
 * resumed (`resubscribed`) — the relay's recovery depends on exactly that.
 */
import { Cluster, type ClusterOptions, type Redis } from "ioredis";
import { backoffDelay } from "../../../common/backoff.js";
import { type ChannelNames, channelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import { ClusterEventPublisher } from "./cluster-events.js";
import type { BatchItem, BatchOutcome } from "./redis-batch.js";
import { RedisBrokerCore } from "./redis-broker-core.js";
import { RedisCommands } from "./redis-commands.js";
import type { RedisOptions } from "./redis-connection.js";
import { type RedisBrokerCommonOptions, resolveRedisOptions } from "./redis-options.js";
import { ShardSubscriptions } from "./redis-shards.js";
import { keySlot } from "./redis-slot.js";
import { SubscriberLink } from "./redis-subscriber.js";

export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** ioredis Cluster options the caller may set (auth, TLS, NAT maps, …). */
export type ClusterConnectionOptions = Omit<
  ClusterOptions,
  "lazyConnect" | "enableOfflineQueue" | "shardedSubscribers" | "clusterRetryStrategy" | "redisOptions"
> & { readonly redisOptions?: RedisOptions };

export interface ClusterBrokerOptions extends RedisBrokerCommonOptions {
  /** Some of the cluster's nodes; the rest are discovered. */
  readonly nodes: readonly ClusterNodeAddress[];
  readonly clusterOptions?: ClusterConnectionOptions;
}

export class ClusterBroker extends RedisBrokerCore {
  readonly kind = "cluster";
  protected readonly commands: RedisCommands;
  private readonly cluster: Cluster;
  private readonly names: ChannelNames;
  private readonly classic: SubscriberLink;
  private readonly shards: ShardSubscriptions;
  private readonly startupNodes: readonly ClusterNodeAddress[];
  private readonly nodeOptions: RedisOptions;
  private nextNode = 0;
  private readonly ingressSlot: number;
  private readonly eventPublisher: ClusterEventPublisher;
  private ingress: { readonly nodeKey: string; readonly redis: Redis } | undefined;

  constructor(options: ClusterBrokerOptions) {
    const settings = resolveRedisOptions(options);
    super(settings);
    if (options.nodes.length === 0) {
      throw new EventBusError(
        "CONFIG_INVALID",
        "The cluster broker needs at least one node (host and port).",
      );
    }
    this.names = channelNames(settings.prefix);
    this.startupNodes = options.nodes;
    const { redisOptions, ...clusterOptions } = options.clusterOptions ?? {};
    this.nodeOptions = { ...redisOptions, connectTimeout: settings.connectTimeoutMs };
    this.cluster = new Cluster([...options.nodes], {
      // A restarted master answers CLUSTERDOWN for ~2 s (Redis's rejoin delay): keep retrying ~5 s.
      retryDelayOnClusterDown: 300,
      // Notice resharding even when no command hits a moved slot.
      slotsRefreshInterval: 5000,
      ...clusterOptions,
      lazyConnect: true,
      // Must stay on: with it off, ioredis rejects commands for a node whose connection is still
      // being opened and retries them 100 ms later — out of order. What may wait is bounded by
      // this broker's own gate (offlineQueueSize / offlineTimeoutMs) before ioredis sees it.
      enableOfflineQueue: true,
      enableAutoPipelining: settings.autoPipelining,
      clusterRetryStrategy: (attempt) => backoffDelay(attempt - 1, settings.reconnect),
      redisOptions: {
        ...this.nodeOptions,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        ...(settings.commandTimeoutMs !== undefined && { commandTimeout: settings.commandTimeoutMs }),
      },
    });
    this.ingressSlot = keySlot(`${settings.prefix}event-bus`);
    this.commands = new RedisCommands(this.cluster, settings.history, "SPUBLISH", (channel, message) =>
      this.ingressNode().publish(channel, message),
    );
    this.eventPublisher = new ClusterEventPublisher(this.cluster, () => this.ingressNode(), settings.history);
    this.classic = this.createLink(() => this.pickNode());
    this.shards = new ShardSubscriptions({
      ownerOf: (slot) => this.cluster.slots[slot]?.[0],
      createLink: (nodeKey) => this.createLink(() => parseNodeKey(nodeKey)),
      refreshTopology: () => this.cluster.refreshSlotsCache(),
      moved: (channels) => this.noteResubscribed(channels),
      clock: settings.clock,
    });
    for (const event of ["ready", "close", "end", "reconnecting"]) {
      this.cluster.on(event, () => this.connectionsChanged());
    }
    this.cluster.on("refresh", () => {
      this.shards.rebalance().catch((error: unknown) => this.reportError(error));
    });
    this.cluster.on("error", (error: Error) => this.reportError(error));
    this.cluster.on("node error", () => {}); // per-node errors: the links and the gate report outages
  }

  protected async openConnections(): Promise<void> {
    try {
      await this.cluster.connect();
      await this.classic.start();
    } catch (error) {
      this.cluster.disconnect();
      this.classic.stop();
      throw error;
    }
  }

  protected async closeConnections(): Promise<void> {
    this.classic.close();
    this.shards.close();
    if (this.cluster.status === "ready") await this.cluster.quit().catch(() => this.cluster.disconnect());
    else this.cluster.disconnect();
  }

  /** Event items: appends on their types' nodes, then PUBLISH on the ingress node (cluster-events.ts). */
  protected sendBatch(items: readonly BatchItem[]): Promise<BatchOutcome[]> {
    return this.eventPublisher.batch(items);
  }

  protected override sendEvent(channel: string, message: string): Promise<number> {
    return this.eventPublisher.publish(channel, message);
  }

  protected streamClient(): Cluster {
    return this.cluster;
  }

  protected describeTarget(): string {
    return `the cluster ${this.startupNodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
  }

  protected connectionsReady(): boolean {
    return this.cluster.status === "ready" && this.classic.state === "ready" && this.shards.ready();
  }

  protected subscribeChannel(channel: string): Promise<void> {
    return this.isSharded(channel) ? this.shards.add(channel) : this.classic.add("channel", channel);
  }

  protected unsubscribeChannel(channel: string): Promise<void> {
    return this.isSharded(channel) ? this.shards.remove(channel) : this.classic.remove("channel", channel);
  }

  protected subscribePattern(pattern: string): Promise<void> {
    return this.classic.add("pattern", pattern);
  }

  protected unsubscribePattern(pattern: string): Promise<void> {
    return this.classic.remove("pattern", pattern);
  }

  /** Recoverable channels travel by SPUBLISH, so they are SSUBSCRIBEd. */
  protected isSharded(channel: string): boolean {
    return this.names.isRecoverable(channel);
  }

  private createLink(address: () => ClusterNodeAddress): SubscriberLink {
    const link = new SubscriberLink({
      connection: () => ({ options: { ...this.nodeOptions, ...address() } }),
      backoff: this.settings.reconnect,
      timeoutMs: this.settings.offlineTimeoutMs,
      connectTimeoutMs: this.settings.connectTimeoutMs,
      healthCheckMs: this.settings.healthCheckMs,
      clock: this.settings.clock,
    });
    link.on("state", () => this.connectionsChanged());
    link.on("restored", (channels) => this.noteResubscribed(channels));
    link.on("message", (channel, message, pattern) => this.deliver(channel, message, pattern));
    link.on("error", (error) => this.reportError(error));
    return link;
  }

  /**
   * Where classic PUBLISHes go: always the master of one slot (chosen by the prefix), not a random
   * node. The cluster bus forwards them from there over one FIFO link per node, so every
   * subscriber sees classic messages in the order they entered — as on a single Redis. Sent to
   * random nodes, two publishes (even to one channel) could overtake each other.
   */
  private ingressNode(): Redis | Cluster {
    const nodeKey = this.cluster.slots[this.ingressSlot]?.[0];
    const cached = this.ingress;
    if (cached && cached.nodeKey === nodeKey && cached.redis.status !== "end") return cached.redis;
    const node = this.cluster.nodes("master").find((n) => `${n.options.host}:${n.options.port}` === nodeKey);
    this.ingress = node && nodeKey !== undefined ? { nodeKey, redis: node } : undefined;
    return node ?? this.cluster;
  }

  /** The classic link's next node: the known masters in turn, else the startup nodes. */
  private pickNode(): ClusterNodeAddress {
    const masters = this.cluster
      .nodes("master")
      .map((node) => ({ host: String(node.options.host), port: Number(node.options.port) }));
    const candidates = masters.length > 0 ? masters : this.startupNodes;
    const node = candidates[this.nextNode++ % candidates.length];
    if (!node)
      throw new EventBusError(
        "CONFIG_INVALID",
        "The cluster broker has no node to connect to; list at least one host:port.",
      );
    return node;
  }
}

function parseNodeKey(nodeKey: string): ClusterNodeAddress {
  const colon = nodeKey.lastIndexOf(":");
  return { host: nodeKey.slice(0, colon), port: Number(nodeKey.slice(colon + 1)) };
}
