/** The one metrics collector of this console process, on the default cluster (see metrics.ts), and its history store. */
import { consoleNamesrvAddr, getAdmin } from './admin';
import { HistoryStore, historyOptionsFromEnv } from './history-store';
import { MetricsCollector } from './metrics';

const holder = globalThis as unknown as { __rocketdeckCollector?: MetricsCollector; __rocketdeckHistory?: HistoryStore };

/** The history store under ROCKETDECK_HOME (the collector's when it runs; readable when it does not). */
export function historyStore(): HistoryStore {
  holder.__rocketdeckHistory ??= new HistoryStore(historyOptionsFromEnv());
  return holder.__rocketdeckHistory;
}

export function startDefaultCollector(): MetricsCollector {
  if (!holder.__rocketdeckCollector) {
    const intervalMs = Number(process.env.ROCKETDECK_METRICS_INTERVAL_MS) || 60_000;
    holder.__rocketdeckCollector = new MetricsCollector(getAdmin(consoleNamesrvAddr()), { store: historyStore(), intervalMs: Math.max(1_000, intervalMs) });
    holder.__rocketdeckCollector.start();
  }
  return holder.__rocketdeckCollector;
}

export function defaultCollector(): MetricsCollector | undefined {
  return holder.__rocketdeckCollector;
}
