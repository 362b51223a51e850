'use client';
/**
 * One message: every stored field, all properties explained, the body in the payload viewer, a stable link,
 * and each group's delivery status with RESEND. Found by msgId (Message, DLQ pages) or by position (explorer).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminOnly } from '@/components/security/session';
import { Dialog } from '@/components/ui/dialog';
import { errorsOf, smallButton } from '@/components/ui/form';
import { ErrorNote, KeyValueTable, Table, td } from '@/components/ui/table';
import { messageBodyLink, messageLink, positionParams, type MessagePosition } from '@/lib/explorer/links';
import { fetchJson, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { MessageView, TrackRow } from '@/lib/server/messages';
import { PayloadViewer } from './payload-viewer';
import { PropertiesTable } from './properties-table';

const TRACK_STYLE: Record<string, string> = {
  CONSUMED: 'text-emerald-700 dark:text-emerald-400',
  NOT_CONSUME_YET: 'text-amber-700 dark:text-amber-400',
  NOT_ONLINE: 'text-slate-500',
  CONSUMED_BUT_FILTERED: 'text-sky-700 dark:text-sky-400',
};

export interface DetailAnswer {
  message: MessageView;
  track: TrackRow[];
  /** The broker holding it (for its stable link); null when its store host is not a known broker. */
  brokerName: string | null;
  /** Said when a stable link's position no longer held the message and its id found it. */
  note?: string | null;
}

function StableLink({ link }: { link: string }) {
  const { t } = useI18n();
  const [note, setNote] = useState<string | null>(null);
  const copy = () => {
    const url = new URL(link, window.location.href).toString();
    navigator.clipboard?.writeText(url).then(() => setNote(t('explorer.link.copied')), () => setNote(url)) ?? setNote(url);
  };
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <a href={link} className="text-sky-700 underline dark:text-sky-400" data-testid="message-link">
        {t('explorer.link.open')}
      </a>
      <button type="button" className={smallButton} onClick={copy}>
        {t('explorer.link.copy')}
      </button>
      {note && (
        <span role="status" className="break-all text-xs text-slate-500">
          {note}
        </span>
      )}
    </div>
  );
}

export function MessageDetails({ data, refetch, downloadHref }: { data: DetailAnswer; refetch: () => void; downloadHref: string }) {
  const { t } = useI18n();
  const m = data.message;
  const [resendNote, setResendNote] = useState<string | null>(null);
  const resend = useMutation({
    mutationFn: (group: string) =>
      fetchJson<{ group: string; clientId: string; consumeResult: string; remark?: string; spentTimeMills: number }>(`/api/messages/${encodeURIComponent(m.msgId)}/resend`, { method: 'POST', body: JSON.stringify({ topic: m.topic, group }) }),
    onSuccess: (r) => {
      setResendNote(t('message.resent', { group: r.group, client: r.clientId, result: r.consumeResult, ms: r.spentTimeMills }));
      refetch();
    },
    onError: (err) => setResendNote(Object.values(errorsOf(err))[0] ?? null),
  });
  const link = data.brokerName ? messageLink({ topic: m.topic, brokerName: data.brokerName, queueId: m.queueId, queueOffset: m.queueOffset, msgId: m.msgId }) : null;
  return (
    <div className="space-y-4">
      {data.note && (
        <p role="note" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          {data.note}
        </p>
      )}
      {link && <StableLink link={link} />}
      <KeyValueTable
        table={{
          'Message ID': m.msgId, 'Offset message ID': m.offsetMsgId, Topic: m.topic, ...(data.brokerName ? { Broker: data.brokerName } : {}), Tag: m.tags ?? '', Keys: m.keys.join(' '),
          'Queue ID': String(m.queueId), 'Queue offset': String(m.queueOffset), 'Commit log offset': String(m.commitLogOffset), 'Store size': `${m.storeSize} bytes`, 'Body CRC': String(m.bodyCRC),
          Flag: String(m.flag), 'System flag': String(m.sysFlag), 'Born time': formatTime(m.bornTimestamp), 'Born host': m.bornHost, 'Store time': formatTime(m.storeTimestamp),
          'Store host': m.storeHost, 'Reconsume times': String(m.reconsumeTimes), 'Prepared transaction offset': String(m.preparedTransactionOffset),
        }}
        sorted={false}
      />
      <PropertiesTable properties={m.properties} />
      <PayloadViewer body={m.body} downloadHref={downloadHref} />
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
                <td className={`${td} font-medium ${TRACK_STYLE[row.trackType] ?? ''}`}>
                  {row.trackType}
                  {row.error ? ` (${row.error})` : ''}
                </td>
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
  );
}

/** A message found by its msgId (the Message and DLQ pages). */
export function MessageDetailDialog({ id, topic, onClose }: { id: string; topic: string; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error, refetch } = useQuery({
    queryKey: queryKeys.messages.detail(id, topic),
    queryFn: () => fetchJson<DetailAnswer>(`/api/messages/${encodeURIComponent(id)}?topic=${encodeURIComponent(topic)}`),
  });
  const downloadHref = `/api/messages/${encodeURIComponent(id)}/body${topic ? `?topic=${encodeURIComponent(topic)}` : ''}`;
  return (
    <Dialog title={`${t('message.detail')} · ${id}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && <MessageDetails data={data} refetch={() => void refetch()} downloadHref={downloadHref} />}
    </Dialog>
  );
}

/** A message found by its position: the explorer's rows and its stable links. */
export function useMessageAt(at: MessagePosition) {
  return useQuery({
    queryKey: queryKeys.explorer.message(at.topic, at.brokerName, at.queueId, at.queueOffset, at.msgId ?? ''),
    queryFn: () => fetchJson<DetailAnswer & { foundBy: 'position' | 'id' }>(`/api/explorer/message?${positionParams(at)}`),
  });
}

export function MessageAtDialog({ at, onClose }: { at: MessagePosition; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error, refetch } = useMessageAt(at);
  return (
    <Dialog title={`${t('message.detail')} · ${at.brokerName}:${at.queueId} @ ${at.queueOffset}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && <MessageDetails data={data} refetch={() => void refetch()} downloadHref={messageBodyLink(at)} />}
    </Dialog>
  );
}
