'use client';
/** TOPIC CONFIG and CONSUMER MANAGE dialogs of the Topic page. */
import { useQuery } from '@tanstack/react-query';
import { AdminOnly } from '@/components/security/session';
import { Dialog } from '@/components/ui/dialog';
import { smallButton } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatNumber, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import { topicMessageType } from '@/lib/validation';
import type { GroupQueueRow } from '@/lib/server/consumers';

export interface TopicConfigRow {
  brokerName: string;
  addr: string;
  config: { topicName: string; readQueueNums: number; writeQueueNums: number; perm: number; order?: boolean; topicSysFlag?: number; attributes?: Record<string, string> } | null;
}

const permText = (perm: number) => [perm & 4 ? 'R' : '', perm & 2 ? 'W' : '', perm & 1 ? 'X' : ''].join('') || '–';

export function TopicConfigDialog({ topic, onClose, onEdit }: { topic: string; onClose: () => void; onEdit: (config: TopicConfigRow['config'] & object, brokers: string[]) => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({ queryKey: queryKeys.topics.detail(topic, 'config'), queryFn: () => fetchJson<{ configs: TopicConfigRow[] }>(`/api/topics/${encodeURIComponent(topic)}?view=config`) });
  return (
    <Dialog title={`${t('topic.config')} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && (
        <Table testId="topic-config" head={[t('cluster.broker'), t('cluster.addr'), t('topic.writeQueues'), t('topic.readQueues'), t('topic.perm'), t('topic.messageType'), t('topic.operations')]}>
          {data.configs.map((c) => (
            <tr key={c.brokerName}>
              <td className={td}>{c.brokerName}</td>
              <td className={`${td} font-mono`}>{c.addr}</td>
              <td className={`${td} tabular-nums`}>{c.config?.writeQueueNums ?? '–'}</td>
              <td className={`${td} tabular-nums`}>{c.config?.readQueueNums ?? '–'}</td>
              <td className={td}>{c.config ? `${c.config.perm} (${permText(c.config.perm)})` : '–'}</td>
              <td className={td}>{c.config ? topicMessageType(c.config) : '–'}</td>
              <td className={td}>
                <AdminOnly>
                  {c.config && (
                    <button type="button" className={smallButton} onClick={() => onEdit(c.config!, [c.brokerName])}>
                      {t('common.edit')}
                    </button>
                  )}
                </AdminOnly>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Dialog>
  );
}

interface ConsumerManage {
  groups: { group: string; consumeTps: number; lag: number; queues: QueueLag[] }[];
}

export function ConsumerManageDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({
    queryKey: queryKeys.topics.detail(topic, 'consumers'),
    queryFn: () => fetchJson<ConsumerManage>(`/api/topics/${encodeURIComponent(topic)}?view=consumers`),
    refetchInterval: 5_000,
  });
  return (
    <Dialog title={`${t('topic.consumerManage')} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && data.groups.length === 0 && <p className="text-sm text-slate-500">{t('topic.noConsumers')}</p>}
      <div className="space-y-4">
        {data?.groups.map((g) => (
          <section key={g.group} aria-label={g.group}>
            <h3 className="mb-1 flex gap-4 text-sm">
              <span className="font-mono font-medium">{g.group}</span>
              <span>
                {t('consumer.tps')}: {formatNumber(g.consumeTps)}
              </span>
              <span data-testid={`lag-${g.group}`}>
                {t('consumer.lag')}: {g.lag}
              </span>
            </h3>
            <QueueLagTable queues={g.queues} />
          </section>
        ))}
      </div>
    </Dialog>
  );
}

export type QueueLag = GroupQueueRow;

/** Offsets and lag per queue (CONSUMER MANAGE, CONSUME DETAIL); the topic column when `withTopic`. */
export function QueueLagTable({ queues, withTopic = false, testId }: { queues: QueueLag[]; withTopic?: boolean; testId?: string }) {
  const { t } = useI18n();
  const head = [t('cluster.broker'), t('topic.queue'), t('consumer.brokerOffset'), t('consumer.consumerOffset'), t('consumer.lag'), t('consumer.lastConsumed')];
  return (
    <Table testId={testId} head={withTopic ? [t('topic.name'), ...head] : head}>
      {queues.map((q) => (
        <tr key={`${q.topic}-${q.brokerName}-${q.queueId}`}>
          {withTopic && <td className={`${td} font-mono`}>{q.topic}</td>}
          <td className={td}>{q.brokerName}</td>
          <td className={td}>{q.queueId}</td>
          <td className={`${td} tabular-nums`}>{q.brokerOffset}</td>
          <td className={`${td} tabular-nums`}>{q.consumerOffset}</td>
          <td className={`${td} tabular-nums ${q.lag > 0 ? 'text-amber-700 dark:text-amber-400' : ''}`}>{q.lag}</td>
          <td className={td}>{formatTime(q.lastTimestamp)}</td>
        </tr>
      ))}
    </Table>
  );
}
