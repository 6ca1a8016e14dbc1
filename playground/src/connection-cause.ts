/**
 * What the connection badge says when the bus is not connected: the cause the SDK reported (an
 * unreachable relay URL, a failing token endpoint, a refused token, …) and what to do about it,
 * taken apart from the EventBusError's message (`CODE: problem hint`).
 */
import type { EventBusError } from "@shared-infra/event-bus/client";

export interface ConnectionCause {
  readonly problem: string;
  readonly hint: string;
}

export function connectionCause(error: EventBusError): ConnectionCause {
  let problem = error.message;
  if (problem.startsWith(`${error.code}: `)) problem = problem.slice(error.code.length + 2);
  if (problem.endsWith(error.hint)) problem = problem.slice(0, -error.hint.length);
  return { problem: problem.trim(), hint: error.hint };
}
