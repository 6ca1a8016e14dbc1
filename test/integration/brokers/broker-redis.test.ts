import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { startRedis } from "../../harness/redis-server.js";
import { describeBrokerContract } from "./broker-contract.js";

describeBrokerContract("redis", async () => {
  const redis = await startRedis();
  return {
    create: (history) => new RedisBroker({ connection: redis.url, ...(history && { history }) }),
    teardown: () => redis.stop(),
  };
});
