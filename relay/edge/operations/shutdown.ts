/**
 * Graceful shutdown. `drain`: stop accepting connections (handshakes and /readyz refuse from now
 * on), tell every socket SERVER_SHUTDOWN with a `notice` so its client reconnects elsewhere at once,
 * give queued packets until the deadline to flush, then disconnect. `installSignalHandlers` runs the
 * relay's close() on SIGTERM / SIGINT (the CLI does this; a library user may do it themselves).
 */
import { type Clock, sleep } from "../../../common/clock.js";
import { EventBusError } from "../../../protocol/errors.js";
import { RELAY_FRAMES } from "../../../protocol/frames.js";
import { outgoingBacklog } from "../delivery/slow-consumer.js";
import type { RelayServer, RelaySocket, RelayState } from "../types.js";
import type { RelayLogger } from "./logger.js";
import type { RelayMetrics } from "./metrics.js";

const POLL_MS = 20;

export interface DrainDeps {
  readonly io: RelayServer;
  readonly state: RelayState;
  readonly metrics: Pick<RelayMetrics, "disconnects">;
  readonly logger: RelayLogger;
  readonly clock: Clock;
}

export async function drain(deps: DrainDeps, deadlineMs: number): Promise<void> {
  deps.state.shuttingDown = true;
  const sockets = [...deps.io.sockets.sockets.values()];
  const notice = new EventBusError("SERVER_SHUTDOWN").toWire();
  for (const socket of sockets) socket.emit(RELAY_FRAMES.notice, notice);
  await flushed(deps.clock, sockets, deps.clock.now() + deadlineMs);
  for (const socket of sockets) {
    if (!socket.connected) continue;
    deps.metrics.disconnects.inc({ reason: "SERVER_SHUTDOWN" });
    socket.disconnect(true);
  }
  deps.logger.info({ sockets: sockets.length }, "drained sockets for shutdown");
}

/** Polls (the engine.io buffers have no event for "empty") until nothing is queued or the deadline. */
async function flushed(clock: Clock, sockets: readonly RelaySocket[], deadline: number): Promise<void> {
  const pending = () => sockets.some((s) => s.connected && outgoingBacklog(s.conn).packets > 0);
  while (pending() && clock.now() < deadline) await sleep(clock, POLL_MS);
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
