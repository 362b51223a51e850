/**
 * NameServer lists as operators type them: `host:port[;host:port]`. One parser for the CLI (-n, NAMESRV_ADDR)
 * and the console (OPS page), so both accept and reject the same text with the same words.
 */
export type NamesrvListResult = { ok: true; list: string[] } | { ok: false; error: string };

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)*|\[[0-9A-Fa-f:.]+\])$/;

/** `host:port` with a DNS name, IPv4 or [IPv6] host and a port from 1 to 65535. */
export function isHostPort(text: string): boolean {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  return !!m && HOST.test(m[1]!) && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

export function parseNamesrvList(text: string): NamesrvListResult {
  const list = text.split(';').map((a) => a.trim()).filter(Boolean);
  if (list.length === 0) return { ok: false, error: 'The NameServer list is empty; give host:port[;host:port]' };
  if (list.length > 16) return { ok: false, error: 'At most 16 NameServers' };
  for (const addr of list) {
    if (!isHostPort(addr)) return { ok: false, error: `"${addr}" is not a NameServer address; expected host:port, e.g. 127.0.0.1:9876` };
  }
  return { ok: true, list: [...new Set(list)] };
}
