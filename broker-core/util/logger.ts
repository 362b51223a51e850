/** A tiny leveled logger. Components take a Logger so tests can silence or capture output. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function envLevel(): Level {
  const value = (process.env.ROCKETDECK_LOG_LEVEL ?? 'info').toLowerCase();
  return value in LEVEL_RANK ? (value as Level) : 'info';
}

export function createLogger(component = 'rocketdeck', level: Level = envLevel()): Logger {
  const threshold = LEVEL_RANK[level];
  const write = (at: Level, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[at] < threshold) return;
    const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    const line = `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} [${component}] ${message}${suffix}\n`;
    (at === 'error' || at === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (name) => createLogger(`${component}/${name}`, level),
  };
}

/** A logger that records lines in memory (for tests) and prints nothing. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (component: string): Logger => {
    const push = (at: string) => (m: string, f?: Record<string, unknown>) =>
      void lines.push(`${at} [${component}] ${m}${f ? ` ${JSON.stringify(f)}` : ''}`);
    return { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error'), child: (n) => make(`${component}/${n}`) };
  };
  return Object.assign(make('test'), { lines });
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
