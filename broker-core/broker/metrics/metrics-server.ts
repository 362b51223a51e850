/**
 * `GET /metrics` of a separate `rocketdeck broker` process (METRICS_PORT): the broker's families
 * (broker-metrics.ts) and the process's own (RSS, CPU, heap, event-loop lag: prom-client's default metrics),
 * in the Prometheus text format. Any other path answers 404, any other method 405. No sign-in: like the broker
 * port itself, bind it where only your Prometheus reaches it (METRICS_HOST).
 */
import http from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../../util/logger';
import type { BrokerMetrics } from './broker-metrics';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The process's own metrics (process_resident_memory_bytes, process_cpu_seconds_total, nodejs_*), one registry per process. */
export function processMetricsRegistry(): Registry {
  const holder = globalThis as unknown as { __rocketdeckProcessMetrics?: Registry };
  if (!holder.__rocketdeckProcessMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder.__rocketdeckProcessMetrics = registry;
  }
  return holder.__rocketdeckProcessMetrics;
}

export async function startMetricsServer(metrics: BrokerMetrics, port: number, host: string, logger: Logger): Promise<MetricsServer> {
  const registries = [metrics.registry, processMetricsRegistry()];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Use GET\n');
      return;
    }
    Promise.all(registries.map((r) => r.metrics())).then(
      (texts) => {
        res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : texts.join(''));
      },
      (err: unknown) => {
        logger.warn('metrics scrape failed', { error: err instanceof Error ? err.message : String(err) });
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be read; the broker log says why\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
