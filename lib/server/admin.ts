/**
 * The console's way to a cluster: one Admin client (and one Producer, for SEND MESSAGE) per NameServer list,
 * kept across requests and module reloads on globalThis. The list comes from the browser session's cookie
 * (set on the OPS page), else ROCKETDECK_CONSOLE_NAMESRV_ADDR (set by npm start), else NAMESRV_ADDR, else
 * the embedded default. At most MAX_CLIENTS lists are kept; the oldest is closed when another is needed.
 */
import { cookies } from 'next/headers';
import { AdminClient } from '@broker/client/admin-client';
import { Producer } from '@broker/client/producer';
import { parseNamesrvList } from '@/lib/validation';

export const NAMESRV_COOKIE = 'rocketdeck-namesrv';
const MAX_CLIENTS = 8;

interface Clients {
  admin: AdminClient;
  producer?: Promise<Producer>;
}

const holder = globalThis as unknown as { __rocketdeckClients?: Map<string, Clients> };

export function consoleNamesrvAddr(): string {
  return process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR || process.env.NAMESRV_ADDR || `127.0.0.1:${process.env.NAMESRV_PORT || '9876'}`;
}

function clientsFor(namesrvAddr: string): Clients {
  holder.__rocketdeckClients ??= new Map();
  const map = holder.__rocketdeckClients;
  let clients = map.get(namesrvAddr);
  if (clients) {
    map.delete(namesrvAddr);
    map.set(namesrvAddr, clients); // most recently used last
    return clients;
  }
  while (map.size >= MAX_CLIENTS) {
    const [oldestKey, oldest] = map.entries().next().value as [string, Clients];
    map.delete(oldestKey);
    void oldest.admin.close().catch(() => undefined);
    void oldest.producer?.then((p) => p.shutdown()).catch(() => undefined);
  }
  clients = { admin: new AdminClient({ namesrvAddr, timeoutMs: 4_000, credentials: consoleCredentials() }) };
  map.set(namesrvAddr, clients);
  return clients;
}

/**
 * The ACL account the console signs its requests with, from ROCKETDECK_CONSOLE_ACCESS_KEY and
 * ROCKETDECK_CONSOLE_SECRET_KEY (RocketMQ Dashboard's rocketmq.config.accessKey / secretKey); none when unset.
 */
export function consoleCredentials(): { accessKey: string; secretKey: string } | undefined {
  const accessKey = process.env.ROCKETDECK_CONSOLE_ACCESS_KEY;
  const secretKey = process.env.ROCKETDECK_CONSOLE_SECRET_KEY;
  return accessKey && secretKey ? { accessKey, secretKey } : undefined;
}

export function getAdmin(namesrvAddr = consoleNamesrvAddr()): AdminClient {
  return clientsFor(namesrvAddr).admin;
}

/** The NameServer list of this request's browser session (a valid cookie), else the console default. */
export async function sessionNamesrvAddr(): Promise<string> {
  const value = (await cookies()).get(NAMESRV_COOKIE)?.value;
  if (value) {
    const parsed = parseNamesrvList(decodeURIComponent(value));
    if (parsed.ok) return parsed.list.join(';');
  }
  return consoleNamesrvAddr();
}

/** The Admin client of this request's session. */
export async function sessionAdmin(): Promise<AdminClient> {
  return getAdmin(await sessionNamesrvAddr());
}

/** A started Producer on this request's session cluster (group rocketdeck_console_producer). */
export async function sessionProducer(): Promise<Producer> {
  const clients = clientsFor(await sessionNamesrvAddr());
  clients.producer ??= (async () => {
    const producer = new Producer({ namesrvAddr: clients.admin.namesrvAddr, groupName: 'rocketdeck_console_producer', sendMsgTimeoutMs: 4_000, credentials: consoleCredentials() });
    await producer.start();
    return producer;
  })();
  try {
    return await clients.producer;
  } catch (err) {
    clients.producer = undefined;
    throw err;
  }
}
