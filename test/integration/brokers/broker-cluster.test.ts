import { ClusterBroker } from "../../../relay/brokers/redis/cluster-broker.js";
import { startRedisCluster } from "../../harness/redis-cluster.js";
import { describeBrokerContract } from "./broker-contract.js";

describeBrokerContract("cluster", async () => {
  const cluster = await startRedisCluster();
  return {
    create: (history) => new ClusterBroker({ nodes: cluster.startupNodes, ...(history && { history }) }),
    teardown: () => cluster.stop(),
  };
});
