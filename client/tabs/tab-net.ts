/**
 * One bus's place among the tabs of its origin: the BroadcastChannel every tab of the same key
 * shares, the leader election (a Web Lock held for as long as the tab leads: the browser releases it
 * when the tab closes or crashes, and the next waiting tab gets it at once), and a lock per tab that
 * says the tab is alive (the hub reads them to forget tabs that vanished without a word).
 *
 * In the leader's own tab the hub and the bus talk in-process (a BroadcastChannel never delivers to
 * its sender); both directions keep their order (microtasks, like the channel's own tasks).
 */
import { createId } from "../../protocol/ids.js";
import { type HubMessage, isHubMessage, isTabMessage, type TabMessage } from "./messages.js";

export interface HubEndpoint {
  receive(message: TabMessage): void;
  close(): void;
}

export class TabNet {
  readonly tab = createId();
  private readonly channel: BroadcastChannel;
  private readonly listeners = new Set<(message: HubMessage) => void>();
  private hub: HubEndpoint | null = null;
  private stepDown: (() => void) | null = null;
  private releaseTab: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly key: string,
    private readonly startHub: (net: TabNet) => HubEndpoint,
  ) {
    this.channel = new BroadcastChannel(key);
    this.channel.onmessage = (event: MessageEvent<unknown>) => this.received(event.data);
    void navigator.locks.request(this.tabLock(this.tab), () =>
      this.hold((release) => (this.releaseTab = release)),
    );
    void navigator.locks.request(`${key}:leader`, () => this.hold((release) => this.lead(release)));
    globalThis.addEventListener?.("pagehide", this.bye);
  }

  /** The name of the lock a live tab holds. */
  tabLock(tab: string): string {
    return `${this.key}:tab:${tab}`;
  }

  get leading(): boolean {
    return this.hub !== null;
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
    this.hub?.close();
    this.hub = null;
    this.closed = true;
    this.listeners.clear();
    this.channel.close();
    this.stepDown?.();
    this.releaseTab?.();
    globalThis.removeEventListener?.("pagehide", this.bye);
  }

  private readonly bye = (): void => this.toHub({ k: "bye", tab: this.tab });

  private hold(granted: (release: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => (this.closed ? resolve() : granted(resolve)));
  }

  private lead(release: () => void): void {
    this.stepDown = release;
    this.hub = this.startHub(this);
  }

  private received(data: unknown): void {
    if (isTabMessage(data)) this.hub?.receive(data);
    else if (isHubMessage(data)) this.deliver(data);
  }

  private deliver(message: HubMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }
}
