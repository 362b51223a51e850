/** Next.js calls register() once when the console's server starts: the Dashboard's metrics collector starts here. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.ROCKETDECK_METRICS === 'off') return;
  const { startDefaultCollector } = await import('./lib/server/collector');
  startDefaultCollector();
}
