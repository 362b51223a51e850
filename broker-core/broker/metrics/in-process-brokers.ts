/**
 * The brokers running in this process (npm start's embedded one), so the console of the same process can add
 * what only a broker sees (latency histograms, client connections) to its own /metrics. Kept on globalThis: the
 * console's route is bundled by Next.js and does not share module instances with the start script.
 */
import type { Registry } from 'prom-client';

export interface InProcessBroker {
  brokerName: string;
  /** The broker's internal families (BrokerMetrics.internals). */
  internals: Pick<Registry, 'metrics'>;
}

function brokers(): Set<InProcessBroker> {
  const holder = globalThis as unknown as { __rocketdeckInProcessBrokers?: Set<InProcessBroker> };
  holder.__rocketdeckInProcessBrokers ??= new Set();
  return holder.__rocketdeckInProcessBrokers;
}

/** Adds a broker; the returned function removes it (at shutdown). */
export function registerInProcessBroker(broker: InProcessBroker): () => void {
  brokers().add(broker);
  return () => void brokers().delete(broker);
}

export function inProcessBrokers(): InProcessBroker[] {
  return [...brokers()];
}
