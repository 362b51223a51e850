'use client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchJson, formatAge } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';

export interface StatusResponse {
  namesrvAddr: string;
  namesrv: { reachable: boolean; latencyMs?: number; error?: string };
  brokers: { cluster: string; brokerName: string; brokerId: number; addr: string; alive: boolean; lastSeenAgoMs: number | null; error?: string }[];
  checkedAt: number;
}

/** NameServer reachability and broker liveness, refreshed every 10 s, on every page. */
export function LivenessBadge() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const { data, error } = useQuery({ queryKey: queryKeys.status(), queryFn: () => fetchJson<StatusResponse>('/api/status'), refetchInterval: 10_000 });
  const alive = data?.brokers.filter((b) => b.alive).length ?? 0;
  const total = data?.brokers.length ?? 0;
  const healthy = !!data?.namesrv.reachable && total > 0 && alive === total;
  const color = !data ? 'bg-slate-400' : healthy ? 'bg-emerald-500' : data.namesrv.reachable && alive > 0 ? 'bg-amber-500' : 'bg-red-500';
  const summary = error
    ? t('common.error', { message: (error as Error).message })
    : !data
      ? t('shell.checking')
      : !data.namesrv.reachable
        ? `${t('shell.namesrv')} ${t('shell.unreachable')}`
        : null;
  // A reachable NameServer is said in full from 1536 px on; narrower, only the brokers part shows (the rest
  // stays for screen readers), so the header keeps to one line. Faults are always said in full.
  const reachable = `${t('shell.namesrv')} ${t('shell.reachable')} · `;
  const brokers = total === 0 ? t('shell.noBrokers') : t('shell.brokersAlive', { alive, total });
  return (
    <div className="relative">
      <button
        type="button"
        data-testid="liveness-badge"
        onClick={() => setOpen((v) => !v)}
        aria-expanded={open}
        title={summary ?? `${reachable}${brokers}`}
        className="flex items-center gap-2 rounded-full border border-slate-300 px-3 py-1 text-xs dark:border-slate-700"
      >
        <span aria-hidden className={`inline-block h-2 w-2 rounded-full ${color}`} />
        {summary !== null ? (
          <span>{summary}</span>
        ) : (
          <span>
            <span className="sr-only 2xl:not-sr-only">{reachable}</span>
            {brokers}
          </span>
        )}
      </button>
      {open && data && (
        <div role="dialog" aria-label="Cluster liveness" className="absolute right-0 z-20 mt-2 w-96 rounded-md border border-slate-200 bg-white p-3 text-xs shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <p className="font-medium">
            {t('shell.namesrv')} <code>{data.namesrvAddr}</code>: {data.namesrv.reachable ? `${t('shell.reachable')} (${data.namesrv.latencyMs} ms)` : `${t('shell.unreachable')} — ${data.namesrv.error ?? ''}`}
          </p>
          <ul className="mt-2 space-y-1">
            {data.brokers.map((b) => (
              <li key={b.addr} className="flex items-center gap-2">
                <span aria-hidden className={`inline-block h-2 w-2 rounded-full ${b.alive ? 'bg-emerald-500' : 'bg-red-500'}`} />
                <span className="font-mono">{b.brokerName}#{b.brokerId}</span>
                <span className="font-mono text-slate-500">{b.addr}</span>
                <span className="ml-auto text-slate-500">{b.lastSeenAgoMs === null ? t('shell.neverSeen') : t('shell.lastSeen', { age: formatAge(b.lastSeenAgoMs) })}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
