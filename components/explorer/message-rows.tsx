'use client';
/** Explorer and tail rows: position, time, tag, keys, body kind and preview; open in place or by its stable link. */
import { memo } from 'react';
import { Table, td } from '@/components/ui/table';
import { smallButton } from '@/components/ui/form';
import { messageLink, type MessagePosition } from '@/lib/explorer/links';
import { formatBytes } from '@/lib/explorer/format';
import { formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import type { MessageRow } from '@/lib/server/messages';

export const positionOf = (r: MessageRow): MessagePosition => ({ topic: r.topic, brokerName: r.brokerName, queueId: r.queueId, queueOffset: r.queueOffset, msgId: r.msgId });

/** One row; memoized, so a tail adding a row on top renders that row only. */
const Row = memo(function Row({ r, onOpen }: { r: MessageRow; onOpen: (at: MessagePosition) => void }) {
  const { t } = useI18n();
  return (
    <tr data-msgid={r.msgId} data-born={r.bornTimestamp} data-stored={r.storeTimestamp}>
      <td className={`${td} tabular-nums`}>{formatTime(r.storeTimestamp)}</td>
      <td className={`${td} font-mono text-xs`}>
        {r.brokerName}:{r.queueId}
      </td>
      <td className={`${td} tabular-nums`}>{r.queueOffset}</td>
      <td className={td}>{r.tags ?? ''}</td>
      <td className={`${td} max-w-32 truncate`} title={r.keys.join(' ')}>
        {r.keys.join(' ')}
      </td>
      <td className={`${td} max-w-40 truncate font-mono text-xs`} title={r.msgId}>
        {r.msgId}
      </td>
      <td className={`${td} tabular-nums text-xs`}>{formatBytes(r.bodySize)}</td>
      <td className={`${td} max-w-96 truncate font-mono text-xs`} title={r.preview}>
        <span className="mr-1 rounded bg-slate-200 px-1 text-[10px] uppercase dark:bg-slate-700">{r.bodyKind}</span>
        {r.preview}
      </td>
      <td className={`${td} space-x-2`}>
        <button type="button" className={smallButton} onClick={() => onOpen(positionOf(r))}>
          {t('explorer.open')}
        </button>
        <a href={messageLink(positionOf(r))} className="text-xs text-sky-700 underline dark:text-sky-400">
          {t('explorer.link')}
        </a>
      </td>
    </tr>
  );
});

export function MessageRows({ rows, onOpen, testId }: { rows: MessageRow[]; onOpen: (at: MessagePosition) => void; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="max-h-[70vh] overflow-y-auto">
      <Table testId={testId} head={[t('message.storeTime'), t('topic.queue'), t('message.queueOffset'), t('message.tag'), t('message.keys'), t('message.id'), t('explorer.size'), t('message.preview'), t('topic.operations')]}>
        {rows.map((r) => (
          <Row key={`${r.brokerName}:${r.queueId}:${r.queueOffset}`} r={r} onOpen={onOpen} />
        ))}
      </Table>
    </div>
  );
}
