/**
 * One bus's place among the tabs of its origin: the BroadcastChannel every tab of the same key
 * shares, the leader election (a Web Lock held for as long as the tab leads: the browser releases it
 * when the tab closes or crashes, and the next waiting tab gets it at once), and a lock per tab that
 * says the tab is alive (the hub reads them to forget tabs that vanished without a word).
 *
 * A leader that stops answering (frozen by the browser: it keeps its lock) is replaced: a visible
 * follower pings the hub every PING_MS; after MISSED_PINGS pings without an answer it takes the lock
 * with `steal`, and the old leader, once it runs again, finds its lock gone and closes its hub.
 *
 * In the leader's own tab the hub and the bus talk in-process (a BroadcastChannel never delivers to
 * its sender); both directions keep their order (microtasks, like the channel's own tasks).
 */
import { type Clock, createRepeater } from "../../common/clock.js";
import { createId } from "../../protocol/ids.js";
import { type HubMessage, isHubMessage, isTabMessage, type TabMessage } from "./messages.js";

export interface HubEndpoint {
  receive(message: TabMessage): void;
  close(): void;
}

const PING_MS = 2_500;
const MISSED_PINGS = 4;

export class TabNet {
  readonly tab = createId();
  private readonly channel: BroadcastChannel;
  private readonly listeners = new Set<(message: HubMessage) => void>();
  private readonly pinger;
  private hub: HubEndpoint | null = null;
  private stepDown: (() => void) | null = null;
  private releaseTab: (() => void) | null = null;
  private queued: AbortController | null = null;
  private unanswered = 0;
  private closed = false;

  constructor(
    readonly key: string,
    clock: Clock,
    private readonly startHub: (net: TabNet) => HubEndpoint,
  ) {
    this.channel = new BroadcastChannel(key);
    this.channel.onmessage = (event: MessageEvent<unknown>) => this.received(event.data);
    void navigator.locks.request(this.tabLock(this.tab), () =>
      this.hold((release) => (this.releaseTab = release)),
    );
    this.campaign(false);
    this.pinger = createRepeater(clock, PING_MS, () => this.ping());
    this.pinger.start();
    globalThis.addEventListener?.("pagehide", this.bye);
  }

  /** The name of the lock a live tab holds. */
  tabLock(tab: string): string {
    return `${this.key}:tab:${tab}`;
  }

  /** Tab side: listen to the hub. */
  listen(listener: (message: HubMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  toHub(message: TabMessage): void {
    if (this.closed) return;
    this.channel.postMessage(message);
    const hub = this.hub;
    if (hub) queueMicrotask(() => this.hub === hub && hub.receive(message));
  }

  toTabs(message: HubMessage): void {
    if (this.closed) return;
    this.channel.postMessage(message);
    queueMicrotask(() => this.deliver(message));
  }

  close(): void {
    if (this.closed) return;
    this.toHub({ k: "bye", tab: this.tab });
    this.resign();
    this.closed = true;
    this.pinger.stop();
    this.listeners.clear();
    this.channel.close();
    this.queued?.abort();
    this.releaseTab?.();
    globalThis.removeEventListener?.("pagehide", this.bye);
  }

  private readonly bye = (): void => this.toHub({ k: "bye", tab: this.tab });

  /** Asks for the leader lock: queued behind the current leader, or taking it from a silent one. */
  private campaign(steal: boolean): void {
    this.queued?.abort();
    const queued = steal ? null : new AbortController();
    this.queued = queued;
    const options: LockOptions = queued ? { signal: queued.signal } : { steal: true };
    navigator.locks
      .request(`${this.key}:leader`, options, () => this.hold((release) => this.lead(release)))
      .catch(() => {
        // Aborted (we stole it instead, or closed) or stolen from us: step down and queue again.
        if (queued?.signal.aborted) return;
        this.resign();
        if (!this.closed) this.campaign(false);
      });
  }

  private ping(): void {
    if (this.hub || this.closed || !visible()) return;
    if (this.unanswered >= MISSED_PINGS) {
      this.unanswered = 0;
      this.campaign(true);
      return;
    }
    this.unanswered++;
    this.toHub({ k: "ping", tab: this.tab });
  }

  private hold(granted: (release: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => (this.closed ? resolve() : granted(resolve)));
  }

  private lead(release: () => void): void {
    this.queued = null;
    this.stepDown = release;
    this.hub = this.startHub(this);
  }

  private resign(): void {
    this.hub?.close();
    this.hub = null;
    this.stepDown?.();
    this.stepDown = null;
  }

  private received(data: unknown): void {
    if (isTabMessage(data)) {
      if (data.k === "ping" && this.hub) this.toTabs({ k: "pong", tab: data.tab });
      else this.hub?.receive(data);
    } else if (isHubMessage(data)) this.deliver(data);
  }

  private deliver(message: HubMessage): void {
    if (message.k === "leader" || (message.k === "pong" && message.tab === this.tab)) this.unanswered = 0;
    for (const listener of [...this.listeners]) listener(message);
  }
}

function visible(): boolean {
  return typeof document === "undefined" || document.visibilityState === "visible";
}
