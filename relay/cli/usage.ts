/**
 * Command lines that do not parse. Every subcommand reads its arguments with `parseCommandLine`;
 * an unknown option, a missing value or a bad value becomes a coded usage error, which the
 * dispatcher (commands.ts) prints with the subcommand's usage, exiting 2.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { EventBusError, isEventBusError } from "../../protocol/errors.js";

const USAGE_HINT = "See the usage below (or run the command with --help).";

/** An INVALID_OPTIONS error that the dispatcher prints with the subcommand's usage. */
export function usageError(problem: string): EventBusError {
  return new EventBusError("INVALID_OPTIONS", problem, { hint: USAGE_HINT, details: { usage: true } });
}

export function isUsageError(error: unknown): error is EventBusError {
  return isEventBusError(error, "INVALID_OPTIONS") && error.details?.usage === true;
}

/** `parseArgs` (strict), with its errors turned into usage errors. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    // Node's messages go on with advice about `--` that rarely applies; keep the first sentence.
    const first = error.message.split(/(?<=\.) /)[0] ?? error.message;
    throw usageError(first.endsWith(".") ? first : `${first}.`);
  }
}

function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
