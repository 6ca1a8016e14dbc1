/**
 * Every inbound frame passes through one per-socket middleware that also dispatches it (one closure
 * per socket instead of a listener per frame name — idle connections stay small):
 *   - the per-socket rate limit (a flood after refusals disconnects the socket);
 *   - unknown event names, missing acks and extra arguments are refused;
 *   - the handler's result or coded error goes to the ack; nothing a client sends can crash the relay.
 */
import { EventBusError, type WireError } from "../../../protocol/errors.js";
import type { ClientFrameName, Reply } from "../../../protocol/frames.js";
import { errorFields, type RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { RelaySocket } from "../types.js";
import type { Kick } from "./kick.js";

type Ack = (reply: Reply<unknown>) => void;

export type FrameHandler = (socket: RelaySocket, request: unknown) => Promise<unknown>;
export type FrameHandlers = Readonly<Record<ClientFrameName, FrameHandler>>;

export interface FrameGateDeps {
  readonly handlers: FrameHandlers;
  readonly metrics: Pick<RelayMetrics, "framesRefused" | "rateLimited">;
  readonly logger: RelayLogger;
  readonly kick: Kick;
}

function ackOf(args: readonly unknown[]): Ack | undefined {
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as Ack) : undefined;
}

function handlerFor(handlers: FrameHandlers, event: unknown): FrameHandler | undefined {
  return typeof event === "string" && Object.hasOwn(handlers, event)
    ? handlers[event as ClientFrameName]
    : undefined;
}

function refuseWith(deps: FrameGateDeps, ack: Ack | undefined, error: WireError): void {
  deps.metrics.framesRefused.inc({ code: error.code });
  ack?.({ ok: false, error });
}

export function installFrameGate(deps: FrameGateDeps, socket: RelaySocket): void {
  socket.use((packet) => {
    const [event, ...args] = packet;
    const ack = ackOf(args);
    const verdict = socket.data.session.limiter.check();
    if (verdict !== "ok") {
      deps.metrics.rateLimited.inc();
      refuseWith(deps, ack, new EventBusError("RATE_LIMITED").toWire());
      if (verdict === "flood") {
        deps.kick(socket, "RATE_LIMITED", "The connection kept flooding after being rate-limited.");
      }
      return;
    }
    const handler = handlerFor(deps.handlers, event);
    if (!handler) {
      const name = JSON.stringify(String(event).slice(0, 40));
      refuseWith(deps, ack, new EventBusError("INVALID_FRAME", `Unknown frame ${name}.`).toWire());
      return;
    }
    if (!ack) {
      deps.metrics.framesRefused.inc({ code: "INVALID_FRAME" });
      return;
    }
    if (args.length > 2) {
      const problem = `\`${String(event)}\` takes one argument and an ack.`;
      refuseWith(deps, ack, new EventBusError("INVALID_FRAME", problem).toWire());
      return;
    }
    Promise.resolve()
      .then(() => handler(socket, args.length === 2 ? args[0] : undefined))
      .then(
        (result) => ack({ ok: true, result }),
        (error: unknown) => refuseWith(deps, ack, wireError(deps.logger, socket, String(event), error)),
      );
  });
}

function wireError(logger: RelayLogger, socket: RelaySocket, frame: string, error: unknown): WireError {
  if (error instanceof EventBusError) return error.toWire();
  logger.error({ frame, connectionId: socket.id, ...errorFields(error) }, "frame handler failed");
  return new EventBusError("INTERNAL", "The relay could not handle this frame.").toWire();
}
