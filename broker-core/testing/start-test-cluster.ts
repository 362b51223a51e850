/**
 * Starts a NameServer and a Broker on ephemeral ports with a temp store dir, for integration tests.
 * brokerIP1 127.0.0.1, no fast port. `restartBroker()` stops the broker and starts a new one on the
 * same store dir and the same port (so clients reconnect); `stop()` stops both and removes the dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerController, type BrokerConfig } from '../broker/broker-controller';
import { NamesrvController } from '../namesrv/namesrv-controller';
import type { MessageStore } from '../store/message-store';
import { silentLogger, type Logger } from '../util/logger';

export interface TestCluster {
  namesrvAddr: string;
  brokerAddr: string;
  storePathRootDir: string;
  broker: BrokerController;
  namesrv: NamesrvController;
  stop(): Promise<void>;
  restartBroker(): Promise<void>;
}

export interface TestClusterOptions {
  logger?: Logger;
  broker?: Partial<BrokerConfig>;
  /** Build a store for each broker start (default: the real DefaultMessageStore under the temp dir). */
  createStore?: (storePathRootDir: string) => MessageStore;
  /** Keep the temp dir after stop() (debugging). */
  keepDir?: boolean;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const logger = options.logger ?? silentLogger;
  const storePathRootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-cluster-'));
  const namesrv = new NamesrvController({ port: 0, host: '127.0.0.1', logger: logger.child('namesrv') });
  await namesrv.start();
  const namesrvAddr = `127.0.0.1:${namesrv.port}`;
  let brokerPort = 0;

  const startBroker = async (): Promise<BrokerController> => {
    const broker = new BrokerController(
      {
        listenPort: brokerPort,
        fastListenPort: null,
        brokerIP1: '127.0.0.1',
        namesrvAddr: [namesrvAddr],
        ...options.broker,
        storePathRootDir,
      },
      { logger: logger.child('broker'), ...(options.createStore ? { store: options.createStore(storePathRootDir) } : {}) },
    );
    await broker.start();
    brokerPort = broker.port;
    return broker;
  };

  let broker: BrokerController;
  try {
    broker = await startBroker();
  } catch (err) {
    await namesrv.shutdown();
    throw err;
  }
  const cluster: TestCluster = {
    namesrvAddr,
    brokerAddr: `127.0.0.1:${brokerPort}`,
    storePathRootDir,
    broker,
    namesrv,
    async stop() {
      await cluster.broker.shutdown();
      await namesrv.shutdown();
      if (!options.keepDir) fs.rmSync(storePathRootDir, { recursive: true, force: true });
    },
    async restartBroker() {
      await cluster.broker.shutdown();
      cluster.broker = await startBroker();
    },
  };
  return cluster;
}
