'use client';
/** A message by its stable link: /explorer/message?topic=&broker=&queue=&offset=&msgId= */
import { useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { MessageDetails, useMessageAt } from '@/components/message/message-detail';
import { ErrorNote } from '@/components/ui/table';
import { messageBodyLink, type MessagePosition } from '@/lib/explorer/links';
import { messageAtSchema } from '@/lib/explorer/schema';
import { useI18n } from '@/lib/i18n';

function ByPosition({ at }: { at: MessagePosition }) {
  const { t } = useI18n();
  const { data, error, refetch } = useMessageAt(at);
  if (error) return <ErrorNote message={(error as Error).message} />;
  if (!data) return <p className="text-sm text-slate-500">{t('common.loading')}</p>;
  return <MessageDetails data={data} refetch={() => void refetch()} downloadHref={messageBodyLink(at)} />;
}

function MessageByLink() {
  const { t } = useI18n();
  const params = useSearchParams();
  const parsed = messageAtSchema.safeParse(Object.fromEntries(params));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-2xl font-semibold">{t('message.detail')}</h1>
        {parsed.success && (
          <span className="font-mono text-sm text-slate-500">
            {parsed.data.topic} · {parsed.data.broker}:{parsed.data.queue} @ {parsed.data.offset}
          </span>
        )}
        <a href={`/explorer${parsed.success ? `?topic=${encodeURIComponent(parsed.data.topic)}` : ''}`} className="text-sm text-sky-700 underline dark:text-sky-400">
          {t('explorer.backToExplorer')}
        </a>
      </div>
      {parsed.success ? (
        <ByPosition at={{ topic: parsed.data.topic, brokerName: parsed.data.broker, queueId: parsed.data.queue, queueOffset: parsed.data.offset, ...(parsed.data.msgId ? { msgId: parsed.data.msgId } : {}) }} />
      ) : (
        <ErrorNote message={t('explorer.link.bad', { problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') })} />
      )}
    </div>
  );
}

export default function ExplorerMessagePage() {
  return (
    <Suspense>
      <MessageByLink />
    </Suspense>
  );
}
