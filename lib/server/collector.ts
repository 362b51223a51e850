/** The one metrics collector of this console process, on the default cluster (see metrics.ts). */
import { consoleNamesrvAddr, getAdmin } from './admin';
import { MetricsCollector } from './metrics';

const holder = globalThis as unknown as { __rocketdeckCollector?: MetricsCollector };

export function startDefaultCollector(): MetricsCollector {
  if (!holder.__rocketdeckCollector) {
    const intervalMs = Number(process.env.ROCKETDECK_METRICS_INTERVAL_MS) || 60_000;
    holder.__rocketdeckCollector = new MetricsCollector(getAdmin(consoleNamesrvAddr()), { intervalMs: Math.max(1_000, intervalMs) });
    holder.__rocketdeckCollector.start();
  }
  return holder.__rocketdeckCollector;
}

export function defaultCollector(): MetricsCollector | undefined {
  return holder.__rocketdeckCollector;
}
