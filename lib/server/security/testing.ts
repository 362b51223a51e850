/** Test helper: a fresh ROCKETDECK_HOME in the system temp folder for each test, restored afterwards. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export function useTempHome(): { home: () => string } {
  let home = '';
  let previous: string | undefined;
  beforeEach(() => {
    previous = process.env.ROCKETDECK_HOME;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-security-'));
    process.env.ROCKETDECK_HOME = home;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.ROCKETDECK_HOME;
    else process.env.ROCKETDECK_HOME = previous;
    fs.rmSync(home, { recursive: true, force: true });
  });
  return { home: () => home };
}
