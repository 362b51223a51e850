/**
 * A NameServer and a Broker as real processes (`rocketdeck namesrv`, `rocketdeck broker -c ...`) with the broker's
 * gRPC endpoint on a free port, for the 5.x client tests. The broker can be restarted on the same ports and store
 * (SIGKILL or SIGTERM), so clients reconnect to the same endpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeBrokerPort, freePort, startBrokerProcess, startNamesrvProcess, type ServerProcess } from './server-processes';

export interface GrpcProcesses {
  tmp: string;
  /** The broker's ROCKETDECK_HOME (its store, conf/plain_acl.yml). */
  brokerHome: string;
  namesrv: ServerProcess;
  broker: ServerProcess;
  namesrvAddr: string;
  brokerAddr: string;
  brokerName: string;
  /** "127.0.0.1:<port>" of the gRPC endpoint. */
  grpcEndpoint: string;
  /** Stops the broker (SIGKILL when `kill`, else SIGTERM) and starts it again on the same ports and store. */
  restartBroker(kill: boolean): Promise<void>;
  stop(): Promise<void>;
}

export interface GrpcProcessesOptions {
  brokerName: string;
  /** More broker.properties keys. */
  properties?: Record<string, string | number | boolean>;
  /** Files to write under the broker's home before it starts (e.g. conf/plain_acl.yml). */
  files?: Record<string, string>;
  env?: Record<string, string>;
}

export async function startGrpcProcesses(options: GrpcProcessesOptions): Promise<GrpcProcesses> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-grpc-'));
  const brokerHome = path.join(tmp, 'broker');
  for (const [file, text] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(brokerHome, file)), { recursive: true });
    fs.writeFileSync(path.join(brokerHome, file), text);
  }
  const namesrvPort = await freePort();
  const namesrv = await startNamesrvProcess(namesrvPort, path.join(tmp, 'namesrv'));
  const namesrvAddr = `127.0.0.1:${namesrvPort}`;
  const brokerPort = await freeBrokerPort();
  const grpcPort = await freePort();
  const properties = { brokerName: options.brokerName, listenPort: brokerPort, brokerIP1: '127.0.0.1', ...options.properties };
  const env = { GRPC_PORT: String(grpcPort), BROKER_FAST_PORT: 'off', ...options.env };
  const start = () => startBrokerProcess(namesrvAddr, brokerHome, properties, env);
  let broker: ServerProcess;
  try {
    broker = await start();
  } catch (err) {
    await namesrv.stop();
    throw err;
  }
  const processes: GrpcProcesses = {
    tmp,
    brokerHome,
    namesrv,
    broker,
    namesrvAddr,
    brokerAddr: `127.0.0.1:${brokerPort}`,
    brokerName: options.brokerName,
    grpcEndpoint: `127.0.0.1:${grpcPort}`,
    async restartBroker(kill) {
      if (kill) await processes.broker.kill();
      else await processes.broker.stop();
      processes.broker = await start();
    },
    async stop() {
      await processes.broker.stop();
      await namesrv.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  return processes;
}
