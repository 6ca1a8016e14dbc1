/**
 * One write per event-loop turn on a Redis connection, instead of one per command (issue 17,
 * goal 4). While thousands of clients connect, each handshake and join sends its own commands
 * (the revocation GET, the position script, SUBSCRIBE), one socket write each: ≈ 10% of the
 * relay's CPU in write system calls, and as many reads for the replies. Corking the connection's
 * socket at the first command of a turn and uncorking it in the check phase (`setImmediate`, after
 * the poll phase handled every socket that was readable) sends them all in one `writev`; Redis
 * answers the pipeline in as few writes. A command waits at most until the current turn ends; the
 * order of commands on a connection is unchanged.
 *
 * `atTurnEnd` runs a task at that point, before the uncork, so what it sends joins the same write
 * (coalesced reads: redis-broker-core.ts `position`).
 */
import type { Writable } from "node:stream";

/** Captured at load: a test's fake timers must not hold Redis writes back. */
const afterThisTurn = setImmediate;

const CORKED = Symbol("eventbus.corkedThisTurn");

interface CorkableStream extends Writable {
  [CORKED]?: boolean;
}

const corked: CorkableStream[] = [];
const tasks: (() => void)[] = [];
let scheduled = false;

/** Corks `stream` (once per turn) until the current event-loop turn ends. */
export function corkForThisTurn(stream: Writable | null | undefined): void {
  const corkable = stream as CorkableStream | null | undefined;
  if (!corkable || corkable[CORKED] === true || !corkable.writable) return;
  corkable[CORKED] = true;
  corkable.cork();
  corked.push(corkable);
  schedule();
}

/** Runs `task` when the current turn ends, before corked connections are written. */
export function atTurnEnd(task: () => void): void {
  tasks.push(task);
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  afterThisTurn(endTurn);
}

function endTurn(): void {
  // Tasks added by a task run in this same pass.
  for (let i = 0; i < tasks.length; i++) {
    try {
      (tasks[i] as () => void)();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  tasks.length = 0;
  scheduled = false;
  const streams = corked.splice(0);
  for (const stream of streams) {
    stream[CORKED] = false;
    stream.uncork();
  }
}
