/**
 * The embedded NameServer + Broker that `npm start` runs in the console's process.
 * They serve real TCP on their ports; the console reaches them like any other client does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NamesrvController } from '../namesrv/namesrv-controller';
import { BrokerController } from '../broker/broker-controller';
import { registerInProcessBroker } from '../broker/metrics/in-process-brokers';
import type { GrpcEndpoint } from '../grpc/grpc-endpoint';
import type { Logger } from '../util/logger';
import type { RuntimeConfig } from './env-config';
import { ensurePortFree } from './ports';

export interface EmbeddedCluster {
  namesrv: NamesrvController;
  broker: BrokerController;
  /** The gRPC endpoint for 5.x clients, unless GRPC_PORT=off. */
  grpc: GrpcEndpoint | null;
  stop(): Promise<void>;
}

export async function startEmbedded(config: RuntimeConfig, logger: Logger): Promise<EmbeddedCluster> {
  await ensurePortFree(config.namesrvPort, 'NAMESRV_PORT');
  await ensurePortFree(config.brokerPort, 'BROKER_PORT');
  if (config.brokerFastPort !== null) await ensurePortFree(config.brokerFastPort, 'BROKER_FAST_PORT');
  if (config.grpc) await ensurePortFree(config.grpc.port, 'GRPC_PORT');

  const storePathRootDir = path.join(config.home, 'store');
  fs.mkdirSync(storePathRootDir, { recursive: true });

  const namesrv = new NamesrvController({
    port: config.namesrvPort,
    logger: logger.child('namesrv'),
    kvConfigPath: path.join(config.home, 'namesrv', 'kvConfig.json'),
  });
  await namesrv.start();
  const broker = new BrokerController(
    {
      brokerClusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      brokerId: 0,
      listenPort: config.brokerPort,
      fastListenPort: config.brokerFastPort,
      brokerIP1: config.brokerIP1,
      namesrvAddr: [`127.0.0.1:${namesrv.port}`],
      storePathRootDir,
      flushDiskType: config.flushDiskType,
      autoCreateTopicEnable: config.autoCreateTopicEnable,
      autoCreateSubscriptionGroup: true,
      aclEnable: config.aclEnable,
      aclFile: config.aclFile,
    },
    { logger: logger.child('broker') },
  );
  try {
    await broker.start();
  } catch (err) {
    await namesrv.shutdown();
    throw err;
  }
  const unregister = registerInProcessBroker({ brokerName: broker.config.brokerName, internals: broker.metrics.internals });
  let grpc: GrpcEndpoint | null = null;
  if (config.grpc) {
    // Loaded only when on: @grpc/grpc-js and the .proto files cost a second or two of start-up.
    const { GrpcEndpoint } = await import('../grpc/grpc-endpoint');
    grpc = new GrpcEndpoint({
      port: config.grpc.port,
      advertisedHost: config.brokerIP1,
      tls: config.grpc.tls,
      namesrvAddr: [`127.0.0.1:${namesrv.port}`],
      localBroker: broker,
      acl: broker.acl,
      logger: logger.child('grpc'),
    });
    try {
      await grpc.start();
    } catch (err) {
      unregister();
      await grpc.shutdown();
      await broker.shutdown();
      await namesrv.shutdown();
      throw err;
    }
  }
  return {
    namesrv,
    broker,
    grpc,
    async stop() {
      unregister();
      await grpc?.shutdown();
      await broker.shutdown();
      await namesrv.shutdown();
    },
  };
}
