/**
 * Graceful shutdown. `drain`: stop accepting connections (handshakes and /readyz refuse from now
 * on), tell every socket SERVER_SHUTDOWN with a `notice` so its client reconnects elsewhere at once,
 * give queued packets until the deadline to flush, then disconnect. `installSignalHandlers` runs the
 * relay's close() on SIGTERM / SIGINT (the CLI does this; a library user may do it themselves).
 */
import { EventBusError } from "../../../protocol/errors.js";
import { RELAY_FRAMES } from "../../../protocol/frames.js";
import { outgoingBacklog } from "../delivery/slow-consumer.js";
import type { RelayContext, RelaySocket } from "../types.js";

const POLL_MS = 20;

export async function drain(ctx: RelayContext, deadlineMs: number): Promise<void> {
  ctx.state.shuttingDown = true;
  const sockets = [...ctx.io.sockets.sockets.values()];
  const notice = new EventBusError("SERVER_SHUTDOWN").toWire();
  for (const socket of sockets) socket.emit(RELAY_FRAMES.notice, notice);
  await flushed(sockets, Date.now() + deadlineMs);
  for (const socket of sockets) {
    if (!socket.connected) continue;
    ctx.metrics.disconnects.inc({ reason: "SERVER_SHUTDOWN" });
    socket.disconnect(true);
  }
  ctx.logger.info({ sockets: sockets.length }, "drained sockets for shutdown");
}

async function flushed(sockets: readonly RelaySocket[], deadline: number): Promise<void> {
  const pending = () => sockets.some((s) => s.connected && outgoingBacklog(s).packets > 0);
  while (pending() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface Closable {
  close(): Promise<void>;
}

/** Closes the relay on SIGTERM or SIGINT (once); a second signal exits at once. Returns an uninstaller. */
export function installSignalHandlers(
  relay: Closable,
  log: (message: string) => void,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log(`received ${signal} again; exiting now`);
      exit(1);
      return;
    }
    closing = true;
    log(`received ${signal}; draining`);
    relay.close().then(
      () => exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
