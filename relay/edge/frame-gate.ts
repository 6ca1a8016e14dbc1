/**
 * Every inbound frame passes here first (a socket.io per-socket middleware): the per-socket rate
 * limit (a flood after refusals disconnects the socket), and unknown event names. Then `onFrame`
 * wraps each handler: the last argument must be the acknowledgement callback, whatever the handler
 * throws becomes a coded error in the ack, and nothing a client sends can crash the relay.
 */
import { EventBusError, toEventBusError, type WireError } from "../../protocol/errors.js";
import { CLIENT_FRAMES, type ClientFrameName, type Reply } from "../../protocol/frames.js";
import { kick } from "./kick.js";
import { errorFields } from "./logger.js";
import type { RelayContext, RelaySocket } from "./types.js";

type Ack = (reply: Reply<unknown>) => void;

const KNOWN: ReadonlySet<string> = new Set(Object.values(CLIENT_FRAMES));

function ackOf(args: readonly unknown[]): Ack | undefined {
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as Ack) : undefined;
}

function refuse(ctx: RelayContext, ack: Ack | undefined, error: WireError): void {
  ctx.metrics.framesRefused.inc({ code: error.code });
  ack?.({ ok: false, error });
}

export function installFrameGate(ctx: RelayContext, socket: RelaySocket): void {
  socket.use((packet, next) => {
    const [event, ...args] = packet;
    const ack = ackOf(args);
    const verdict = socket.data.session.limiter.check();
    if (verdict !== "ok") {
      ctx.metrics.rateLimited.inc();
      refuse(ctx, ack, new EventBusError("RATE_LIMITED").toWire());
      if (verdict === "flood")
        kick(ctx, socket, "RATE_LIMITED", "The connection kept flooding after being rate-limited.");
      return;
    }
    if (typeof event !== "string" || !KNOWN.has(event)) {
      refuse(
        ctx,
        ack,
        new EventBusError(
          "INVALID_FRAME",
          `Unknown frame ${JSON.stringify(String(event).slice(0, 40))}.`,
        ).toWire(),
      );
      return;
    }
    next();
  });
}

/** Registers a frame handler; `handle` gets the request (first argument) and resolves to the result. */
export function onFrame<T>(
  ctx: RelayContext,
  socket: RelaySocket,
  name: ClientFrameName,
  handle: (request: unknown) => Promise<T>,
): void {
  socket.on(CLIENT_FRAMES[name], (...args: unknown[]) => {
    const ack = ackOf(args);
    if (!ack) {
      ctx.metrics.framesRefused.inc({ code: "INVALID_FRAME" });
      return;
    }
    if (args.length > 2) {
      refuse(
        ctx,
        ack,
        new EventBusError("INVALID_FRAME", `\`${name}\` takes one argument and an ack.`).toWire(),
      );
      return;
    }
    Promise.resolve()
      .then(() => handle(args.length === 2 ? args[0] : undefined))
      .then(
        (result) => ack({ ok: true, result }),
        (error: unknown) => refuse(ctx, ack, wireError(ctx, socket, name, error)),
      );
  });
}

function wireError(ctx: RelayContext, socket: RelaySocket, frame: string, error: unknown): WireError {
  if (error instanceof EventBusError) return error.toWire();
  ctx.logger.error({ frame, connectionId: socket.id, ...errorFields(error) }, "frame handler failed");
  return toEventBusError(new Error("The relay could not handle this frame."), "INTERNAL").toWire();
}
