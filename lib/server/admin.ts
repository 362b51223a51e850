/**
 * The console's way to a cluster: one Admin client per NameServer list, kept across requests (and across
 * module reloads, on globalThis). The list comes from ROCKETDECK_CONSOLE_NAMESRV_ADDR (set by npm start),
 * else NAMESRV_ADDR, else the embedded default.
 */
import { AdminClient } from '@broker/client/admin-client';

const holder = globalThis as unknown as { __rocketdeckAdmins?: Map<string, AdminClient> };

export function consoleNamesrvAddr(): string {
  return process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR || process.env.NAMESRV_ADDR || `127.0.0.1:${process.env.NAMESRV_PORT || '9876'}`;
}

export function getAdmin(namesrvAddr = consoleNamesrvAddr()): AdminClient {
  holder.__rocketdeckAdmins ??= new Map();
  let admin = holder.__rocketdeckAdmins.get(namesrvAddr);
  if (!admin) {
    admin = new AdminClient({ namesrvAddr, timeoutMs: 4_000 });
    holder.__rocketdeckAdmins.set(namesrvAddr, admin);
  }
  return admin;
}
