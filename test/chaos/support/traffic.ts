/**
 * Steady traffic for chaos runs, recorded in a DeliveryLedger:
 *   - `observeBus` records what an SDK bus delivers, the gaps it reports and what it recovered;
 *   - `backendTraffic` publishes through the backend library (EventBusClient) on a list of
 *     recoverable channels, one sequential loop per channel, until stopped;
 *   - `clientTraffic` publishes from SDK buses into a room (the outbox), until stopped.
 * Pacing uses short timers: they set the traffic rate, they never stand in for synchronisation.
 */
import type { EventBus } from "../../../client/types.js";
import type { AnyEvents } from "../../../protocol/envelope.js";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { createId } from "../../../protocol/ids.js";
import type { EventBusClient } from "../../../relay/backend/client.js";
import type { DeliveryLedger } from "./ledger.js";

export interface ObservedBus {
  readonly name: string;
  readonly bus: EventBus<AnyEvents>;
  /** Times the bus went from connected to reconnecting. */
  readonly reconnects: number;
  /** Events replayed from history after reconnects (the `recovered` events). */
  readonly recovered: number;
  readonly gaps: number;
  readonly errors: readonly EventBusError[];
}

export function observeBus(ledger: DeliveryLedger, name: string, bus: EventBus<AnyEvents>): ObservedBus {
  const state = { reconnects: 0, recovered: 0, gaps: 0, errors: [] as EventBusError[] };
  bus.subscribe("*", (event) => ledger.received(name, event.channel, event.id, event.offset));
  bus.on("gap", (info) => {
    state.gaps++;
    ledger.gap(name, info.channel, info.position);
  });
  bus.on("recovered", (info) => {
    state.recovered += info.replayed;
  });
  bus.on("status", ({ status, previous }) => {
    if (status === "reconnecting" && previous === "connected") state.reconnects++;
  });
  bus.on("error", (error) => state.errors.push(error));
  return {
    name,
    bus,
    get reconnects() {
      return state.reconnects;
    },
    get recovered() {
      return state.recovered;
    },
    get gaps() {
      return state.gaps;
    },
    get errors() {
      return state.errors;
    },
  };
}

/** A channel the backend publishes on, and how (user, room or broadcast). */
export type BackendTarget =
  | { readonly kind: "user"; readonly userId: string }
  | { readonly kind: "room"; readonly room: string }
  | { readonly kind: "broadcast" };

export function channelOf(target: BackendTarget): string {
  switch (target.kind) {
    case "user":
      return `user:${target.userId}`;
    case "room":
      return `room:${target.room}`;
    case "broadcast":
      return "broadcast";
  }
}

export interface Traffic {
  /** Publishes attempted so far. */
  readonly sent: number;
  readonly failures: number;
  /** Failures by error code ("UNCODED" for anything that is not an EventBusError). */
  readonly failureCodes: Readonly<Record<string, number>>;
  /** Stops publishing; resolves once every loop finished its last publish. */
  stop(): Promise<void>;
  /** Resolves once `count` more publishes were acknowledged (to wait for traffic to flow again). */
  acknowledged(count: number, timeoutMs?: number): Promise<void>;
}

interface TrafficState {
  running: boolean;
  sent: number;
  acked: number;
  failures: number;
  failureCodes: Record<string, number>;
  waiters: { target: number; resolve: () => void }[];
}

function trafficHandle(state: TrafficState, loops: Promise<void>[]): Traffic {
  return {
    get sent() {
      return state.sent;
    },
    get failures() {
      return state.failures;
    },
    get failureCodes() {
      return state.failureCodes;
    },
    async stop() {
      state.running = false;
      await Promise.all(loops);
    },
    acknowledged(count, timeoutMs = 20_000) {
      const target = state.acked + count;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`traffic: ${count} acknowledgements not reached in ${timeoutMs} ms`)),
          timeoutMs,
        );
        state.waiters.push({
          target,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

function failed(state: TrafficState, error: unknown): void {
  state.failures++;
  const code = isEventBusError(error) ? error.code : "UNCODED";
  state.failureCodes[code] = (state.failureCodes[code] ?? 0) + 1;
}

function acked(state: TrafficState): void {
  state.acked++;
  for (const waiter of [...state.waiters]) {
    if (state.acked >= waiter.target) {
      state.waiters.splice(state.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function backendTraffic(
  ledger: DeliveryLedger,
  backend: EventBusClient,
  targets: readonly BackendTarget[],
  { intervalMs = 5, maxPerChannel = 100_000 } = {},
): Traffic {
  const state: TrafficState = {
    running: true,
    sent: 0,
    acked: 0,
    failures: 0,
    failureCodes: {},
    waiters: [],
  };
  const loop = async (target: BackendTarget) => {
    const channel = channelOf(target);
    for (let seq = 0; state.running && seq < maxPerChannel; seq++) {
      state.sent++;
      const data = { seq, channel };
      const options = { id: createId() };
      const sending =
        target.kind === "user"
          ? backend.publishToUser(target.userId, "chaos.tick", data, options)
          : target.kind === "room"
            ? backend.publishToRoom(target.room, "chaos.tick", data, options)
            : backend.broadcast("chaos.tick", data, options);
      try {
        const result = await sending;
        if (result.offset === undefined || result.epoch === undefined) {
          throw new Error(`a recoverable publish on ${channel} came back without a position`);
        }
        ledger.published(channel, "backend", seq, result.id, { offset: result.offset, epoch: result.epoch });
        acked(state);
      } catch (error) {
        failed(state, error);
        ledger.failed(channel, "backend", seq, options.id);
      }
      await pause(intervalMs);
    }
  };
  return trafficHandle(state, targets.map(loop));
}

/**
 * Each bus publishes `chaos.say` into `room`, one publish at a time (waiting for each ack), until
 * stopped. `epoch` is the room's epoch (constant in runs where Redis keeps its data); undefined when
 * Redis may lose it (the ack then goes to the ledger without a position).
 */
export function clientTraffic(
  ledger: DeliveryLedger,
  publishers: readonly ObservedBus[],
  room: string,
  epoch: string | undefined,
  { intervalMs = 10, maxPerClient = 100_000 } = {},
): Traffic {
  const state: TrafficState = {
    running: true,
    sent: 0,
    acked: 0,
    failures: 0,
    failureCodes: {},
    waiters: [],
  };
  const channel = `room:${room}`;
  const loop = async (publisher: ObservedBus) => {
    for (let seq = 0; state.running && seq < maxPerClient; seq++) {
      state.sent++;
      try {
        const ack = await publisher.bus.publish("chaos.say", { seq, from: publisher.name }, { room });
        if (epoch === undefined) ledger.acknowledged(channel, publisher.name, seq, ack.id);
        else ledger.published(channel, publisher.name, seq, ack.id, { offset: ack.offset, epoch });
        acked(state);
      } catch (error) {
        failed(state, error);
      }
      await pause(intervalMs);
    }
  };
  return trafficHandle(state, publishers.map(loop));
}

/** One line of cumulative counts after a chaos round, printed so every run shows its figures. */
export function logRound(label: string, ledger: DeliveryLedger, buses: readonly ObservedBus[]): void {
  const audit = ledger.audit();
  const recovered = buses.reduce((sum, b) => sum + b.recovered, 0);
  const reconnects = buses.reduce((sum, b) => sum + b.reconnects, 0);
  console.log(
    `[chaos] ${label}: published ${audit.published}, delivered ${audit.delivered}, recovered ${recovered}, reconnects ${reconnects}, gaps ${audit.gaps}, duplicated ${audit.duplicated}, not yet delivered ${audit.lost}`,
  );
}
