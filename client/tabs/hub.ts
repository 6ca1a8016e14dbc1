/**
 * The hub: runs in the leader tab and holds the origin's one connection to the relay (the same
 * Connection driver a lone bus uses: state machine, backoff, the leader's own getToken, in-band
 * refresh). Tabs attach virtual connections to it (tab-transport.ts); it answers their frames —
 * `hello` and `join` from what it already holds (hub-sync.ts, hub-rooms.ts), `auth` locally (the
 * leader refreshes its own token), everything else (publish, history, presence) forwarded as is —
 * and forwards each relay frame to the tabs it concerns.
 */
import { backoffDelay } from "../../common/backoff.js";
import { createRepeater } from "../../common/clock.js";
import { type ChannelNames, channelNames } from "../../protocol/channels.js";
import { EventBusError, toEventBusError } from "../../protocol/errors.js";
import type {
  ClientFrameName,
  HelloRequest,
  HelloResult,
  JoinRequest,
  LeaveRequest,
  PresenceEvent,
} from "../../protocol/frames.js";
import { createId } from "../../protocol/ids.js";
import { prefixOf } from "../channels.js";
import { Connection, type Session } from "../connection.js";
import type { StatusChange } from "../connection-state.js";
import type { ResolvedOptions } from "../options.js";
import { createTokenSource } from "../token.js";
import type { RequestFn } from "../transport.js";
import { HubRooms } from "./hub-rooms.js";
import { HubPositions } from "./hub-sync.js";
import type { TabMessage } from "./messages.js";
import type { HubEndpoint, TabNet } from "./tab-net.js";

/** How often the hub looks for tabs that vanished without a word (their tab lock is gone), ms. */
const SWEEP_MS = 5_000;

export class Hub implements HubEndpoint {
  readonly id = createId();
  /** Attached conns → their tab. */
  private readonly conns = new Map<string, string>();
  /** Conns waiting for the hub's connection to open. */
  private readonly waiting = new Set<string>();
  /** Conns attached to the user's own channels (user, broadcast, roles). */
  private readonly ownHolders = new Set<string>();
  private readonly own = new Set<string>();
  private readonly positions = new HubPositions();
  private readonly rooms = new HubRooms(this.positions, (conn) => this.conns.has(conn));
  private readonly connection: Connection;
  private readonly sweeper;
  private hello: HelloResult | null = null;
  private session: Session | null = null;
  private names: ChannelNames = channelNames();
  private lastError: EventBusError | undefined;

  constructor(
    o: ResolvedOptions,
    private readonly net: TabNet,
  ) {
    this.connection = new Connection({
      clock: o.clock,
      backoff: (attempt) => backoffDelay(attempt, o.backoff, o.random),
      unauthorizedPoll: Math.max(o.backoff.maxDelay, 30_000),
      tokens: createTokenSource(o.token, o.getToken),
      createTransport: o.connector(o.transport),
      handshake: (session) => this.handshake(session),
      opened: (session) => this.opened(session),
      closed: () => this.sessionClosed(),
      status: (change) => this.status(change),
      error: (error) => (this.lastError = error),
      message: (channel, message, after) => this.message(channel, message, after),
      presence: (event) => this.presence(event),
      resync: (channels) => this.resync(channels),
      left: (room, error) =>
        this.send({ k: "left", to: this.rooms.removed(room), room, error: error.toWire() }),
      refreshed: (result) => {
        for (const channel of result.removed ?? []) this.own.delete(channel);
        for (const sync of result.added ?? []) this.ownChannel(sync.channel, sync.position);
      },
    });
    this.sweeper = createRepeater(o.clock, SWEEP_MS, () => void this.sweep());
    this.sweeper.start();
    net.toTabs({ k: "leader", hub: this.id });
    this.connection.connect();
  }

  receive(message: TabMessage): void {
    switch (message.k) {
      case "open":
        this.conns.set(message.conn, message.tab);
        if (this.session) this.ready(message.conn);
        else this.waiting.add(message.conn);
        return;
      case "close":
        this.forget(message.conn);
        return;
      case "bye":
        for (const [conn, tab] of [...this.conns]) if (tab === message.tab) this.forget(conn);
        return;
      case "req":
        if (!this.session || !this.conns.has(message.conn) || this.waiting.has(message.conn))
          this.net.toTabs({ k: "drop", conn: message.conn });
        else void this.answer(this.session.request, message.conn, message.id, message.frame, message.payload);
    }
  }

  close(): void {
    this.sweeper.stop();
    this.connection.close();
  }

  private async answer(
    request: RequestFn,
    conn: string,
    id: number,
    frame: ClientFrameName,
    payload: unknown,
  ) {
    try {
      const result = await this.handle(request, conn, frame, payload);
      this.net.toTabs({ k: "res", conn, id, result });
    } catch (error) {
      this.net.toTabs({ k: "res", conn, id, error: toEventBusError(error).toWire() });
    }
  }

  private async handle(request: RequestFn, conn: string, frame: ClientFrameName, payload: unknown) {
    switch (frame) {
      case "hello":
        return this.tabHello(request, conn, payload as HelloRequest);
      case "join":
        return this.rooms.join(request, this.names, conn, payload as JoinRequest);
      case "leave":
        await this.rooms.leave(request, conn, (payload as LeaveRequest).room);
        return {};
      case "auth":
        return { expiresAt: null }; // the leader refreshes its own token
      default:
        return (request as (f: string, p: unknown) => Promise<unknown>)(frame, payload);
    }
  }

  /** A tab's `hello`: attach it to the own channels, then answer their positions or replays. */
  private async tabHello(request: RequestFn, conn: string, req: HelloRequest): Promise<HelloResult> {
    const hello = this.hello;
    if (!hello) throw new EventBusError("NOT_CONNECTED");
    this.ownHolders.add(conn);
    const channels = await Promise.all(
      [...this.own].map((channel) => this.positions.attach(request, channel, req.since?.[channel])),
    );
    const { userId, roles, connectionId, limits } = hello;
    return { userId, roles, connectionId, limits, channels, expiresAt: null };
  }

  private async handshake(session: Session): Promise<HelloResult> {
    const hello = await session.request("hello", {});
    this.hello = hello;
    this.names = channelNames(prefixOf(hello));
    this.own.clear();
    for (const sync of hello.channels) this.ownChannel(sync.channel, sync.position);
    return hello;
  }

  private ownChannel(channel: string, position: HelloResult["channels"][number]["position"]): void {
    this.own.add(channel);
    this.positions.sync(channel, position);
  }

  private opened(session: Session): void {
    this.session = session;
    for (const conn of [...this.waiting]) this.ready(conn);
    this.net.toTabs({ k: "up", hub: this.id });
  }

  private ready(conn: string): void {
    this.waiting.delete(conn);
    this.net.toTabs({ k: "ready", conn, hub: this.id });
  }

  /** The hub's connection ended: every attached tab reconnects (and recovers) once it is back. */
  private sessionClosed(): void {
    this.session = null;
    this.hello = null;
    for (const conn of [...this.conns.keys()]) if (!this.waiting.has(conn)) this.conns.delete(conn);
    this.ownHolders.clear();
    this.rooms.clear();
    this.positions.clear();
    const reason = this.lastError?.message ?? "the shared connection closed";
    this.net.toTabs({ k: "down", hub: this.id, reason });
  }

  private status({ status }: StatusChange): void {
    if (status === "connected" || status === "connecting") return;
    const cause = this.lastError?.message ?? `the shared connection is ${status}`;
    const error = new EventBusError("NOT_CONNECTED", `The tab holding the connection: ${cause}`);
    for (const conn of [...this.waiting]) this.net.toTabs({ k: "fail", conn, error: error.toWire() });
    this.waiting.clear();
  }

  private message(channel: string, message: unknown, after?: number): void {
    this.positions.live(channel, message);
    const to = this.own.has(channel) ? [...this.ownHolders] : this.rooms.holdersOf(channel);
    this.send({ k: "m", to, channel, message, ...(after !== undefined && { after }) });
  }

  private presence(event: PresenceEvent): void {
    this.send({ k: "presence", to: this.rooms.watchersOf(event.room), event });
  }

  private resync(channels: readonly string[]): void {
    const to = new Set<string>();
    for (const channel of channels) {
      const holders = this.own.has(channel) ? this.ownHolders : this.rooms.holdersOf(channel);
      for (const conn of holders) to.add(conn);
    }
    this.send({ k: "resync", to: [...to], channels });
  }

  private send(message: Parameters<TabNet["toTabs"]>[0] & { to: readonly string[] }): void {
    if (message.to.length > 0) this.net.toTabs(message);
  }

  private forget(conn: string): void {
    this.conns.delete(conn);
    this.waiting.delete(conn);
    this.ownHolders.delete(conn);
    const request: RequestFn =
      this.session?.request ?? (() => Promise.reject(new EventBusError("NOT_CONNECTED")));
    for (const room of this.rooms.roomsOf(conn)) void this.rooms.leave(request, conn, room).catch(() => {});
  }

  /** Forgets the conns of tabs whose tab lock is gone (closed or crashed without `pagehide`). */
  private async sweep(): Promise<void> {
    const { held = [], pending = [] } = await navigator.locks.query();
    const alive = new Set([...held, ...pending].map((lock) => lock.name));
    for (const [conn, tab] of [...this.conns]) if (!alive.has(this.net.tabLock(tab))) this.forget(conn);
  }
}
