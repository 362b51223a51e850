'use client';
/** One message: every stored field, all properties, the body shown safely, and each group's delivery status with RESEND. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminOnly } from '@/components/security/session';
import { Dialog } from '@/components/ui/dialog';
import { errorsOf, smallButton } from '@/components/ui/form';
import { ErrorNote, KeyValueTable, Table, td } from '@/components/ui/table';
import { fetchJson, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { MessageView, TrackRow } from '@/lib/server/messages';

/** Properties the client and broker set, and what they mean. */
const SYSTEM_PROPERTIES: Record<string, string> = {
  UNIQ_KEY: 'client-made message id',
  KEYS: 'keys (indexed)',
  TAGS: 'tag (filtered on)',
  WAIT: 'producer waited for the store',
  DELAY: 'delay level',
  RETRY_TOPIC: 'original topic of a retried message',
  REAL_TOPIC: 'topic before scheduling/transaction',
  REAL_QID: 'queue before scheduling/transaction',
  TRAN_MSG: 'transactional half message',
  PGROUP: 'producer group',
  ORIGIN_MESSAGE_ID: 'id of the message this retry copies',
  RECONSUME_TIME: 'times consumed again',
  MAX_RECONSUME_TIMES: 'retries before DLQ',
  CONSUME_START_TIME: 'consumer started at (ms)',
  CLUSTER: 'cluster the producer sent to',
  MIN_OFFSET: 'queue min offset when pulled',
  MAX_OFFSET: 'queue max offset when pulled',
};

function Body({ body }: { body: MessageView['body'] }) {
  const { t } = useI18n();
  const [view, setView] = useState<'auto' | 'text' | 'hex' | 'base64'>('auto');
  const text = view === 'base64' ? body.base64 : view === 'hex' ? (body.hex ?? hexOf(body.base64)) : body.kind === 'json' && view === 'auto' ? body.pretty : (body.text ?? body.hex ?? '');
  return (
    <section aria-label={t('message.body')}>
      <div className="mb-1 flex flex-wrap items-center gap-2 text-sm">
        <h3 className="font-medium">{t('message.body')}</h3>
        <span className="text-xs text-slate-500">
          {body.kind.toUpperCase()} · {body.size} bytes{body.truncated ? ` · ${t('message.truncated')}` : ''}
        </span>
        {(['auto', 'text', 'hex', 'base64'] as const).map((v) => (
          <button key={v} type="button" aria-pressed={view === v} className={`rounded border px-2 py-0.5 text-xs ${view === v ? 'border-slate-800 dark:border-slate-200' : 'border-slate-300 dark:border-slate-700'}`} onClick={() => setView(v)}>
            {v}
          </button>
        ))}
        <button type="button" className={smallButton} onClick={() => void navigator.clipboard?.writeText(body.text ?? body.base64)}>
          {t('message.copy')}
        </button>
      </div>
      {body.kind === 'empty' ? (
        <p className="text-sm text-slate-500">{t('message.emptyBody')}</p>
      ) : (
        <pre data-testid="message-body" className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-3 font-mono text-xs dark:bg-slate-800">
          {text}
        </pre>
      )}
    </section>
  );
}

function hexOf(base64: string): string {
  const bytes = atob(base64.slice(0, 5464));
  return Array.from(bytes, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

const TRACK_STYLE: Record<string, string> = {
  CONSUMED: 'text-emerald-700 dark:text-emerald-400',
  NOT_CONSUME_YET: 'text-amber-700 dark:text-amber-400',
  NOT_ONLINE: 'text-slate-500',
  CONSUMED_BUT_FILTERED: 'text-sky-700 dark:text-sky-400',
};

export function MessageDetailDialog({ id, topic, onClose }: { id: string; topic: string; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error, refetch } = useQuery({
    queryKey: queryKeys.messages.detail(id, topic),
    queryFn: () => fetchJson<{ message: MessageView; track: TrackRow[] }>(`/api/messages/${encodeURIComponent(id)}?topic=${encodeURIComponent(topic)}`),
  });
  const [resendNote, setResendNote] = useState<string | null>(null);
  const resend = useMutation({
    mutationFn: (group: string) => fetchJson<{ group: string; clientId: string; consumeResult: string; remark?: string; spentTimeMills: number }>(`/api/messages/${encodeURIComponent(id)}/resend`, { method: 'POST', body: JSON.stringify({ topic: data?.message.topic ?? topic, group }) }),
    onSuccess: (r) => {
      setResendNote(t('message.resent', { group: r.group, client: r.clientId, result: r.consumeResult, ms: r.spentTimeMills }));
      void refetch();
    },
    onError: (err) => setResendNote(Object.values(errorsOf(err))[0] ?? null),
  });
  const m = data?.message;
  return (
    <Dialog title={`${t('message.detail')} · ${id}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {m && (
        <div className="space-y-4">
          <KeyValueTable
            table={{
              'Message ID': m.msgId, 'Offset message ID': m.offsetMsgId, Topic: m.topic, Tag: m.tags ?? '', Keys: m.keys.join(' '), 'Queue ID': String(m.queueId),
              'Queue offset': String(m.queueOffset), 'Commit log offset': String(m.commitLogOffset), 'Store size': `${m.storeSize} bytes`, 'Body CRC': String(m.bodyCRC),
              Flag: String(m.flag), 'System flag': String(m.sysFlag), 'Born time': formatTime(m.bornTimestamp), 'Born host': m.bornHost, 'Store time': formatTime(m.storeTimestamp),
              'Store host': m.storeHost, 'Reconsume times': String(m.reconsumeTimes), 'Prepared transaction offset': String(m.preparedTransactionOffset),
            }}
            sorted={false}
          />
          <section aria-label={t('message.properties')}>
            <h3 className="mb-1 font-medium">{t('message.properties')}</h3>
            <Table head={[t('message.propertyName'), t('message.propertyValue'), t('message.meaning')]}>
              {Object.entries(m.properties)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => (
                  <tr key={k}>
                    <td className={`${td} font-mono`}>{k}</td>
                    <td className={`${td} whitespace-pre-wrap break-all font-mono`}>{v}</td>
                    <td className={`${td} text-xs text-slate-500`}>{SYSTEM_PROPERTIES[k] ?? t('message.userProperty')}</td>
                  </tr>
                ))}
            </Table>
          </section>
          <Body body={m.body} />
          <section aria-label={t('message.track')}>
            <h3 className="mb-1 flex items-center gap-3 font-medium">
              {t('message.track')}
              <a href={`/trace?id=${encodeURIComponent(m.msgId)}`} className="text-xs font-normal text-sky-700 underline dark:text-sky-400">
                {t('message.openTrace')}
              </a>
            </h3>
            {resendNote && (
              <p role="status" className="mb-2 text-sm">
                {resendNote}
              </p>
            )}
            {data.track.length === 0 ? (
              <p className="text-sm text-slate-500">{t('message.noTrack')}</p>
            ) : (
              <Table testId="message-track" head={[t('consumer.group'), t('message.trackType'), t('consumer.clients'), t('topic.operations')]}>
                {data.track.map((row) => (
                  <tr key={row.group}>
                    <td className={`${td} font-mono`}>{row.group}</td>
                    <td className={`${td} font-medium ${TRACK_STYLE[row.trackType] ?? ''}`}>{row.trackType}{row.error ? ` (${row.error})` : ''}</td>
                    <td className={`${td} tabular-nums`}>{row.clients.length}</td>
                    <td className={td}>
                      <AdminOnly>
                        <button type="button" className={smallButton} disabled={row.clients.length === 0 || resend.isPending} onClick={() => resend.mutate(row.group)}>
                          {t('message.resend')}
                        </button>
                      </AdminOnly>
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </section>
        </div>
      )}
    </Dialog>
  );
}
