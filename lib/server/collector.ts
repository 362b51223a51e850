/** The one metrics collector of this console process, on the default cluster (see metrics.ts), and its history store. */
import { consoleNamesrvAddr, getAdmin } from './admin';
import { HistoryStore, historyOptionsFromEnv } from './history-store';
import { alertManager } from './alerts/alert-manager';
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
    const admin = getAdmin(consoleNamesrvAddr());
    const collector = new MetricsCollector(admin, { store: historyStore(), intervalMs: Math.max(1_000, intervalMs) });
    // The alert rules are evaluated on every sample (lib/server/alerts).
    const alerts = alertManager();
    alerts.consoleUrl = process.env.ROCKETDECK_CONSOLE_URL || undefined;
    collector.onSample(async (sample) => {
      await alerts.evaluate({ sample, brokers: collector.lastBrokers, runtime: collector.lastRuntime, history: historyStore(), admin });
    });
    holder.__rocketdeckCollector = collector;
    collector.start();
  }
  return holder.__rocketdeckCollector;
}

export function defaultCollector(): MetricsCollector | undefined {
  return holder.__rocketdeckCollector;
}
