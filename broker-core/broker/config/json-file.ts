/** Atomic config-file persistence: write temp, fsync, rename; the previous version is kept as `.bak`. */
import fs from 'node:fs';
import path from 'node:path';
import { parseJavaJson } from '../../protocol/fastjson';
import { BrokerError } from '../../util/errors';

export function writeFileAtomic(filePath: string, text: string): void {
  try {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    const tmpPath = `${filePath}.tmp`;
    const fd = fs.openSync(tmpPath, 'w');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (fs.existsSync(filePath)) fs.copyFileSync(filePath, `${filePath}.bak`);
    fs.renameSync(tmpPath, filePath);
  } catch (err) {
    throw new BrokerError('BROKER_ERR_STORE_IO', `cannot write ${filePath}`, { cause: err });
  }
}

/** Reads a (possibly fastjson-flavoured) JSON file; falls back to `.bak` when the main file is unreadable. */
export function readJsonFile(filePath: string): unknown {
  for (const candidate of [filePath, `${filePath}.bak`]) {
    try {
      if (!fs.existsSync(candidate)) continue;
      const text = fs.readFileSync(candidate, 'utf8');
      if (text.trim() === '') continue;
      return parseJavaJson(text);
    } catch {
      // try the backup
    }
  }
  return undefined;
}
