/**
 * Event-type publishes on a Redis Cluster, in two parts, so that both promises hold:
 *   - the append to the type's group stream (when the type has groups) runs as a script on the
 *     master that owns the type's slot (`{<type>}:events`), and
 *   - the PUBLISH enters the cluster at the ingress node, like every classic PUBLISH of this
 *     broker, so subscribers see event-type messages in the order they were published, across
 *     channels too (cluster-broker.ts, ingressNode).
 * Each PUBLISH is sent after its own append was applied (a group consumer woken by it finds the
 * entry) and after the previous PUBLISH was sent (publish order). The appends are pipelined, so
 * this costs one more command per publish, not one more round trip of throughput. Unlike one
 * Redis, the two parts are not one atomic step: a publisher that dies between them leaves the event
 * in the group stream without its live PUBLISH (live delivery is at most once anyway).
 */
import type { Cluster, Redis } from "ioredis";
import { eventStreamKeys } from "../../../protocol/channels.js";
import type { HistoryOptions } from "../broker.js";
import { type BatchItem, type BatchOutcome, runBatch, runGrouped } from "./redis-batch.js";
import { GROUP_SCRIPTS } from "./redis-group-scripts.js";
import { keySlot } from "./redis-slot.js";

export class ClusterEventPublisher {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cluster: Cluster,
    private readonly ingress: () => Redis | Cluster,
    private readonly history: HistoryOptions,
  ) {}

  publish(channel: string, message: string): Promise<number> {
    const appended = this.append([{ channel, message, recoverable: false }]);
    return this.inOrder(appended, () => this.ingress().publish(channel, message));
  }

  /** A batch: appends by slot, then the PUBLISHes on the ingress node and recoverable items by slot. */
  batch(items: readonly BatchItem[]): Promise<BatchOutcome[]> {
    const appended = this.append(items.filter((item) => !item.recoverable));
    return this.inOrder(appended, () =>
      runGrouped(
        items,
        (item) => (item.recoverable ? `slot:${keySlot(item.channel)}` : "live"),
        (group, members) =>
          runBatch(
            group === "live" ? this.ingress() : this.cluster,
            members,
            this.history,
            "SPUBLISH",
            "publish only",
          ),
      ),
    );
  }

  /** Appends each event whose type has groups, one script per slot. */
  private async append(events: readonly BatchItem[]): Promise<void> {
    if (events.length === 0) return;
    await runGrouped(
      events,
      (item) => String(keySlot(eventStreamKeys(item.channel).stream)),
      async (_slot, members) => {
        const keys = members.flatMap((item) => {
          const { stream, config } = eventStreamKeys(item.channel);
          return [stream, config];
        });
        await GROUP_SCRIPTS.appendIfGrouped.run(
          this.cluster,
          keys,
          members.map((item) => item.message),
        );
        return members.map(() => ({ receivers: 0 }));
      },
    );
  }

  /** Calls `send` once `before` settled and the previous publish was sent: sends stay in call order. */
  private inOrder<T>(before: Promise<unknown>, send: () => Promise<T>): Promise<T> {
    let sent: Promise<T> | undefined;
    const turn = Promise.all([this.turn, before]).then(() => {
      sent = send();
    });
    this.turn = turn.catch(() => {});
    return turn.then(() => sent as Promise<T>);
  }
}
