import type { Logger } from "../../../relay/backend/logger.js";

/** A logger that drops everything (tests assert on behaviour, not on log lines). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
