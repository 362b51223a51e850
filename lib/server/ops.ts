/** The OPS page's saved NameServer lists, kept in ROCKETDECK_HOME/console/namesrv.json. */
import fs from 'node:fs';
import path from 'node:path';

const MAX_SAVED = 32;

function file(): string {
  return path.join(process.env.ROCKETDECK_HOME || path.resolve('data'), 'console', 'namesrv.json');
}

export function savedNamesrvLists(): string[] {
  try {
    const raw = JSON.parse(fs.readFileSync(file(), 'utf8')) as { saved?: unknown };
    return Array.isArray(raw.saved) ? raw.saved.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export function saveNamesrvLists(saved: string[]): void {
  const target = file();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ saved: [...new Set(saved)].slice(0, MAX_SAVED) }, null, 2));
  fs.renameSync(tmp, target);
}
