'use client';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { brokerChoices } from '@/components/cluster/target-picker';
import { ClientDialog, ConsumeDetailDialog, DeleteGroupDialog, GroupConfigDialog, GroupFormDialog, type GroupFormValues } from '@/components/consumer/group-dialogs';
import { GroupHistoryDialog, SparklineCell, useSparklines } from '@/components/history/history-views';
import { AdminOnly, useIsAdmin } from '@/components/security/session';
import { ResetOffsetDialog } from '@/components/topic/reset-offset-dialog';
import { Dialog } from '@/components/ui/dialog';
import { dangerButton, inputClass, Pager, smallButton } from '@/components/ui/form';
import { ErrorNote, td } from '@/components/ui/table';
import type { ClusterOverview } from '@/lib/cluster-types';
import { fetchJson, formatAge, formatNumber, formatTime } from '@/lib/fetch-json';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { GroupSummary } from '@/lib/server/consumers';

interface GroupPage {
  groups: GroupSummary[];
  total: number;
  all: number;
  page: number;
  pages: number;
  builtAt: number;
  buildMs: number;
}

type Sort = 'group' | 'clients' | 'tps' | 'lag';
type DialogState =
  | { type: 'client' | 'detail' | 'config' | 'delete' | 'history'; group: string }
  | { type: 'form'; initial?: Partial<GroupFormValues> }
  | { type: 'resetPick'; group: string; topics: string[] }
  | { type: 'reset'; group: string; topic: string };

function ResetTopicPicker({ group, topics, onPick, onClose }: { group: string; topics: string[]; onPick: (topic: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={`${t('topic.resetOffset')} · ${group}`} onClose={onClose} closeLabel={t('common.close')}>
      {topics.length === 0 ? (
        <p className="text-sm text-slate-500">{t('consumer.noTopics')}</p>
      ) : (
        <div className="space-y-2">
          <p className="text-sm">{t('consumer.pickTopic')}</p>
          {topics.map((topic) => (
            <button key={topic} type="button" className={`${smallButton} mr-2 font-mono`} onClick={() => onPick(topic)}>
              {topic}
            </button>
          ))}
        </div>
      )}
    </Dialog>
  );
}

export default function ConsumerPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [system, setSystem] = useState(false);
  const [sort, setSort] = useState<{ by: Sort; dir: 'asc' | 'desc' }>({ by: 'group', dir: 'asc' });
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const admin = useIsAdmin();
  const params = { q: q.trim(), system: system ? '1' : '0', sort: sort.by, dir: sort.dir, page, pageSize: 50 };
  const list = useQuery({
    queryKey: queryKeys.consumers.list(params),
    queryFn: () => fetchJson<GroupPage>(`/api/consumers?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const cluster = useQuery({ queryKey: queryKeys.cluster.all(), queryFn: () => fetchJson<ClusterOverview>('/api/cluster') });
  const sparklines = useSparklines('group', list.data?.groups.map((g) => g.group) ?? []);
  const refresh = async () => {
    await fetchJson(`/api/consumers?fresh=1&pageSize=1`);
    await queryClient.invalidateQueries({ queryKey: queryKeys.consumers.all() });
  };
  const header = (label: MessageKey, by?: Sort) => {
    if (!by) return <th className="whitespace-nowrap px-2.5 py-2 font-medium">{t(label)}</th>;
    const active = sort.by === by;
    return (
      <th className="whitespace-nowrap px-2.5 py-2 font-medium" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="uppercase" onClick={() => setSort({ by, dir: active && sort.dir === 'asc' ? 'desc' : by === 'group' ? 'asc' : active ? 'asc' : 'desc' })}>
          {t(label)} {active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
        </button>
      </th>
    );
  };
  const data = list.data;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t('consumer.title')}</h1>
        <input
          aria-label={t('consumer.filter')}
          placeholder={t('consumer.filter')}
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setPage(1);
          }}
          className={`${inputClass} max-w-xs`}
        />
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={system} onChange={(e) => setSystem(e.target.checked)} />
          {t('consumer.showSystem')}
        </label>
        <button type="button" className={smallButton} onClick={() => void refresh()}>
          {t('common.refresh')}
        </button>
        <AdminOnly>
          <button type="button" onClick={() => setDialog({ type: 'form' })} className="ml-auto rounded bg-orange-600 px-3 py-1.5 text-sm font-medium text-white">
            {t('consumer.add')}
          </button>
        </AdminOnly>
      </div>
      {list.error && <ErrorNote message={t('common.error', { message: (list.error as Error).message })} />}
      <div className="flex items-center gap-4 text-xs text-slate-500">
        {data && <span>{t('consumer.count', { shown: data.total, total: data.all })}</span>}
        {data && <span>{t('consumer.updated', { age: formatAge(Math.max(0, Date.now() - data.builtAt)), ms: data.buildMs })}</span>}
        {data && <Pager page={data.page} pages={data.pages} onPage={setPage} label={t('common.pages')} />}
      </div>
      <div className="overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800">
        <table data-testid="consumer-list" className="w-full text-left text-sm">
          <thead className="bg-slate-100 text-xs uppercase text-slate-600 dark:bg-slate-800 dark:text-slate-300">
            <tr>
              {header('consumer.group', 'group')}
              {header('consumer.clients', 'clients')}
              {header('cluster.version')}
              {header('consumer.type')}
              {header('consumer.mode')}
              {header('consumer.tps', 'tps')}
              {header('consumer.lag', 'lag')}
              {header('history.lagColumn')}
              {header('consumer.topics')}
              {header('consumer.lastConsumed')}
              {header('topic.operations')}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 bg-white dark:divide-slate-800 dark:bg-slate-900">
            {list.isLoading && (
              <tr>
                <td className={td} colSpan={11}>
                  {t('common.loading')}
                </td>
              </tr>
            )}
            {data && data.groups.length === 0 && (
              <tr>
                <td className={td} colSpan={11}>
                  {data.all === 0 ? t('consumer.none') : t('common.noMatch')}
                </td>
              </tr>
            )}
            {data?.groups.map((g) => (
              <tr key={g.group}>
                <td className={`${td} font-mono`}>
                  {g.group}
                  {g.system && <span className="ml-1 rounded bg-slate-200 px-1 text-[10px] dark:bg-slate-700">{t('topic.kind.SYSTEM')}</span>}
                </td>
                <td className={`${td} tabular-nums`}>{g.clients > 0 ? g.clients : <span className="text-slate-400">{t('consumer.offlineShort')}</span>}</td>
                <td className={td}>{g.version ?? '–'}</td>
                <td className={td}>{g.consumeType ?? '–'}</td>
                <td className={td}>{g.messageModel ?? '–'}</td>
                <td className={`${td} tabular-nums`}>{formatNumber(g.consumeTps)}</td>
                <td className={`${td} tabular-nums ${g.lag > 0 ? 'font-medium text-amber-700 dark:text-amber-400' : ''}`}>{g.lag}</td>
                <td className={td}>
                  <SparklineCell kind="group" name={g.group} lines={sparklines.data?.lines} />
                </td>
                <td className={`${td} max-w-48 truncate font-mono text-xs`} title={g.topics.join(', ')}>
                  {g.topics.join(', ') || '–'}
                </td>
                <td className={td}>{formatTime(g.lastConsumeTimestamp)}</td>
                <td className={td}>
                  <div className="flex flex-wrap gap-1">
                  <button type="button" className={smallButton} onClick={() => setDialog({ type: 'client', group: g.group })}>
                    {t('consumer.client')}
                  </button>
                  <button type="button" className={smallButton} onClick={() => setDialog({ type: 'detail', group: g.group })}>
                    {t('consumer.detail')}
                  </button>
                  <button type="button" className={smallButton} onClick={() => setDialog({ type: 'config', group: g.group })}>
                    {t('consumer.config')}
                  </button>
                  <button type="button" className={smallButton} onClick={() => setDialog({ type: 'history', group: g.group })}>
                    {t('history.button')}
                  </button>
                  {/* Read-only users preview resets (the dialog shows them no Apply). */}
                  <button type="button" className={smallButton} onClick={() => setDialog({ type: 'resetPick', group: g.group, topics: g.topics })}>
                    {admin ? t('topic.resetOffset') : t('reset.previewButton')}
                  </button>
                  <AdminOnly>
                    {!g.system && (
                      <button type="button" className={dangerButton} onClick={() => setDialog({ type: 'delete', group: g.group })}>
                        {t('topic.delete')}
                      </button>
                    )}
                  </AdminOnly>
                </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {dialog?.type === 'client' && <ClientDialog group={dialog.group} onClose={() => setDialog(null)} />}
      {dialog?.type === 'detail' && <ConsumeDetailDialog group={dialog.group} onClose={() => setDialog(null)} />}
      {dialog?.type === 'history' && <GroupHistoryDialog group={dialog.group} onClose={() => setDialog(null)} />}
      {dialog?.type === 'config' && (
        <GroupConfigDialog
          group={dialog.group}
          onClose={() => setDialog(null)}
          onEdit={(c, brokers) =>
            setDialog({
              type: 'form',
              initial: {
                groupName: c.groupName, brokers, clusters: [], consumeEnable: c.consumeEnable, consumeBroadcastEnable: c.consumeBroadcastEnable, consumeFromMinEnable: c.consumeFromMinEnable,
                consumeMessageOrderly: c.consumeMessageOrderly, retryQueueNums: String(c.retryQueueNums), retryMaxTimes: String(c.retryMaxTimes), brokerId: String(c.brokerId),
                whichBrokerWhenConsumeSlowly: String(c.whichBrokerWhenConsumeSlowly),
              },
            })
          }
        />
      )}
      {dialog?.type === 'form' && <GroupFormDialog clusters={cluster.data?.clusters ?? []} brokers={brokerChoices(cluster.data?.brokers)} initial={dialog.initial} onClose={() => setDialog(null)} />}
      {dialog?.type === 'delete' && <DeleteGroupDialog group={dialog.group} onClose={() => setDialog(null)} />}
      {dialog?.type === 'resetPick' && (
        <ResetTopicPicker group={dialog.group} topics={dialog.topics} onClose={() => setDialog(null)} onPick={(topic) => setDialog({ type: 'reset', group: dialog.group, topic })} />
      )}
      {dialog?.type === 'reset' && <ResetOffsetDialog topic={dialog.topic} mode="reset" groups={[dialog.group]} onClose={() => setDialog(null)} />}
    </div>
  );
}
