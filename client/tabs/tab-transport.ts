/**
 * The Transport a tab's bus uses when tabs share one connection: the same contract as the socket.io
 * transport (connect, requests with acknowledgements, relay frames), carried to the leader's hub.
 * `connect` fires once the hub's own connection to the relay is open; when the leader changes or its
 * connection drops, this transport disconnects and the bus reconnects as it would after a network
 * loss — to the new hub, with its positions, so it recovers what it missed.
 */
import type { Clock } from "../../common/clock.js";
import { EventBusError } from "../../protocol/errors.js";
import type { HandshakeAuth } from "../../protocol/frames.js";
import type { RequestFn, Transport, TransportFactory, TransportHandlers } from "../transport.js";
import type { HubMessage } from "./messages.js";
import type { TabNet } from "./tab-net.js";

export interface TabTransportOptions {
  readonly connectTimeout: number;
  readonly requestTimeout: number;
  readonly clock: Clock;
}

let conns = 0;

export function tabTransport(net: TabNet, options: TabTransportOptions): TransportFactory {
  return (_auth: HandshakeAuth, handlers: TransportHandlers) => new TabConnection(net, options, handlers);
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: EventBusError) => void;
  readonly timer: unknown;
}

class TabConnection implements Transport {
  private readonly conn: string;
  private hub: string | null = null;
  private state: "opening" | "open" | "ended" = "opening";
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly unlisten: () => void;
  private readonly connectTimer: unknown;

  constructor(
    private readonly net: TabNet,
    private readonly options: TabTransportOptions,
    private readonly handlers: TransportHandlers,
  ) {
    this.conn = `${net.tab}:${++conns}`;
    this.unlisten = net.listen((message) => this.received(message));
    this.connectTimer = options.clock.setTimeout(
      () => this.fail(new EventBusError("NOT_CONNECTED", "No tab holding the connection answered in time.")),
      options.connectTimeout,
    );
    net.toHub({ k: "open", conn: this.conn, tab: net.tab });
  }

  readonly request: RequestFn = (frame, payload) => {
    if (this.state !== "open") return Promise.reject(new EventBusError("NOT_CONNECTED"));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new EventBusError("TIMEOUT", "The tab holding the connection did not answer in time."));
      }, this.options.requestTimeout);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.net.toHub({ k: "req", conn: this.conn, id, frame, payload });
    });
  };

  close(): void {
    if (this.state === "ended") return;
    this.end();
    this.net.toHub({ k: "close", conn: this.conn });
  }

  private received(message: HubMessage): void {
    if (this.state === "ended") return;
    switch (message.k) {
      case "leader":
        if (this.state === "opening") this.net.toHub({ k: "open", conn: this.conn, tab: this.net.tab });
        else if (message.hub !== this.hub) this.lost("the tab holding the connection changed");
        return;
      case "down":
        if (message.hub === this.hub) this.lost(message.reason);
        return;
      case "ready":
        if (message.conn === this.conn && this.state === "opening") this.opened(message.hub);
        return;
      case "fail":
        if (message.conn === this.conn && this.state === "opening")
          this.fail(EventBusError.fromWire(message.error));
        return;
      case "drop":
        if (message.conn === this.conn) this.lost("the tab holding the connection forgot this tab");
        return;
      case "pong":
      case "up":
        return;
      case "res":
        if (message.conn === this.conn) this.answered(message.id, message.result, message.error);
        return;
      default:
        if (this.state === "open" && message.to.includes(this.conn)) this.frame(message);
    }
  }

  private frame(message: Extract<HubMessage, { to: readonly string[] }>): void {
    if (message.k === "m") this.handlers.message(message.channel, message.message, message.after);
    else if (message.k === "presence") this.handlers.presence(message.event);
    else if (message.k === "resync") this.handlers.resync(message.channels);
    else this.handlers.left(message.room, EventBusError.fromWire(message.error));
  }

  private opened(hub: string): void {
    this.options.clock.clearTimeout(this.connectTimer);
    this.hub = hub;
    this.state = "open";
    this.handlers.connect();
  }

  private answered(id: number, result: unknown, error: unknown): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    this.options.clock.clearTimeout(pending.timer);
    if (error !== undefined) pending.reject(EventBusError.fromWire(error));
    else pending.resolve(result);
  }

  private fail(error: EventBusError): void {
    if (this.state !== "opening") return;
    this.end();
    this.net.toHub({ k: "close", conn: this.conn });
    this.handlers.connectError(error);
  }

  private lost(reason: string): void {
    this.end();
    this.net.toHub({ k: "close", conn: this.conn });
    this.handlers.disconnect(reason);
  }

  private end(): void {
    this.state = "ended";
    this.unlisten();
    this.options.clock.clearTimeout(this.connectTimer);
    const closed = new EventBusError("NOT_CONNECTED", "The connection closed before the relay answered.");
    for (const { reject, timer } of this.pending.values()) {
      this.options.clock.clearTimeout(timer);
      reject(closed);
    }
    this.pending.clear();
  }
}
