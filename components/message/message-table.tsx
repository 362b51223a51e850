'use client';
/** A page of message rows (Message and DLQ pages); click an id for the detail. Optional row selection. */
import { Table, td } from '@/components/ui/table';
import { formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import type { MessageRow } from '@/lib/server/messages';

export function MessageTable({ rows, onOpen, selected, onSelect, testId = 'message-list' }: { rows: MessageRow[]; onOpen: (row: MessageRow) => void; selected?: Set<string>; onSelect?: (id: string, on: boolean) => void; testId?: string }) {
  const { t } = useI18n();
  const head = [t('message.id'), t('message.tag'), t('message.keys'), t('cluster.broker'), t('topic.queue'), t('message.queueOffset'), t('message.storeTime'), t('message.preview')];
  return (
    <Table testId={testId} head={onSelect ? ['', ...head] : head}>
      {rows.map((r) => (
        <tr key={`${r.offsetMsgId}`}>
          {onSelect && (
            <td className={td}>
              <input type="checkbox" aria-label={`${t('dlq.select')} ${r.msgId}`} checked={selected?.has(r.msgId) ?? false} onChange={(e) => onSelect(r.msgId, e.target.checked)} />
            </td>
          )}
          <td className={td}>
            <button type="button" className="font-mono text-xs text-sky-700 underline dark:text-sky-400" onClick={() => onOpen(r)}>
              {r.msgId}
            </button>
          </td>
          <td className={td}>{r.tags ?? ''}</td>
          <td className={`${td} max-w-40 truncate`}>{r.keys.join(' ')}</td>
          <td className={td}>{r.brokerName}</td>
          <td className={`${td} tabular-nums`}>{r.queueId}</td>
          <td className={`${td} tabular-nums`}>{r.queueOffset}</td>
          <td className={td}>{formatTime(r.storeTimestamp)}</td>
          <td className={`${td} max-w-64 truncate font-mono text-xs`} title={r.preview}>
            {r.preview}
          </td>
        </tr>
      ))}
    </Table>
  );
}
