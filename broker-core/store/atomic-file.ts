/** Small store files replaced whole (checkpoint, queue list): written beside, fdatasync'ed, renamed over. */
import fs from 'node:fs/promises';

/** Every step runs on libuv's thread pool: nothing here blocks the event loop. */
export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
}
