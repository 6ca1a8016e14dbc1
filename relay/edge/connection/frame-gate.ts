/**
 * Every inbound frame passes through one per-socket middleware that also dispatches it (one closure
 * per socket instead of a listener per frame name — idle connections stay small):
 *   - the per-socket rate limit (a flood after refusals disconnects the socket);
 *   - unknown event names, missing acks and extra arguments are refused;
 *   - the handler's result or coded error goes to the ack; nothing a client sends can crash the relay.
 */
import { EventBusError, toEventBusError, type WireError } from "../../../protocol/errors.js";
import type { ClientFrameName, Reply } from "../../../protocol/frames.js";
import { errorFields } from "../operations/logger.js";
import type { RelayContext, RelaySocket } from "../types.js";
import { kick } from "./kick.js";

type Ack = (reply: Reply<unknown>) => void;

export type FrameHandler = (ctx: RelayContext, socket: RelaySocket, request: unknown) => Promise<unknown>;
export type FrameHandlers = Readonly<Record<ClientFrameName, FrameHandler>>;

function ackOf(args: readonly unknown[]): Ack | undefined {
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as Ack) : undefined;
}

function refuse(ctx: RelayContext, ack: Ack | undefined, error: WireError): void {
  ctx.metrics.framesRefused.inc({ code: error.code });
  ack?.({ ok: false, error });
}

function handlerFor(handlers: FrameHandlers, event: unknown): FrameHandler | undefined {
  return typeof event === "string" && Object.hasOwn(handlers, event)
    ? handlers[event as ClientFrameName]
    : undefined;
}

export function installFrameGate(ctx: RelayContext, socket: RelaySocket, handlers: FrameHandlers): void {
  socket.use((packet) => {
    const [event, ...args] = packet;
    const ack = ackOf(args);
    const verdict = socket.data.session.limiter.check();
    if (verdict !== "ok") {
      ctx.metrics.rateLimited.inc();
      refuse(ctx, ack, new EventBusError("RATE_LIMITED").toWire());
      if (verdict === "flood") {
        kick(ctx, socket, "RATE_LIMITED", "The connection kept flooding after being rate-limited.");
      }
      return;
    }
    const handler = handlerFor(handlers, event);
    if (!handler) {
      const name = JSON.stringify(String(event).slice(0, 40));
      refuse(ctx, ack, new EventBusError("INVALID_FRAME", `Unknown frame ${name}.`).toWire());
      return;
    }
    if (!ack) {
      ctx.metrics.framesRefused.inc({ code: "INVALID_FRAME" });
      return;
    }
    if (args.length > 2) {
      refuse(
        ctx,
        ack,
        new EventBusError("INVALID_FRAME", `\`${String(event)}\` takes one argument and an ack.`).toWire(),
      );
      return;
    }
    Promise.resolve()
      .then(() => handler(ctx, socket, args.length === 2 ? args[0] : undefined))
      .then(
        (result) => ack({ ok: true, result }),
        (error: unknown) => refuse(ctx, ack, wireError(ctx, socket, String(event), error)),
      );
  });
}

function wireError(ctx: RelayContext, socket: RelaySocket, frame: string, error: unknown): WireError {
  if (error instanceof EventBusError) return error.toWire();
  ctx.logger.error({ frame, connectionId: socket.id, ...errorFields(error) }, "frame handler failed");
  return toEventBusError(new Error("The relay could not handle this frame."), "INTERNAL").toWire();
}
