/**
 * For the single-figure entry points (bench/relay-fanout.ts, backend-publish.ts, client-size.ts):
 * a throwaway Redis, the figures printed as markdown, every child stopped, exit code 0 unless the
 * run itself failed. `npm run bench` (bench/run.ts) runs them all and writes the results files.
 */
import { type RedisServer, startRedis } from "../../test/harness/redis-server.js";
import { type FigureResult, renderFigure } from "./results.js";

export function runStandalone(
  needsRedis: boolean,
  run: (redis: RedisServer | undefined, log: (text: string) => void) => Promise<readonly FigureResult[]>,
): void {
  const log = (text: string) => process.stderr.write(`${text}\n`);
  const main = async () => {
    const redis = needsRedis ? await startRedis() : undefined;
    try {
      for (const figure of await run(redis, log)) process.stdout.write(`${renderFigure(figure)}\n`);
    } finally {
      await redis?.stop();
    }
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
