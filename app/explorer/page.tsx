'use client';
/** Message explorer: browse a topic by queues from a starting point through server-side filters, or tail it live. */
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { ScanView } from '@/components/explorer/scan-view';
import { TailView } from '@/components/explorer/tail-view';
import { useI18n } from '@/lib/i18n';

type Tab = 'browse' | 'tail';

function Explorer() {
  const { t } = useI18n();
  const params = useSearchParams();
  const [tab, setTab] = useState<Tab>(params.get('tab') === 'tail' ? 'tail' : 'browse');
  const topic = params.get('topic') ?? '';
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">{t('explorer.title')}</h1>
        <p className="text-sm text-slate-500">{t('explorer.intro')}</p>
      </div>
      <div role="tablist" aria-label={t('explorer.title')} className="flex gap-1 text-sm">
        {(['browse', 'tail'] as const).map((id) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => setTab(id)} className={`rounded px-3 py-1 ${tab === id ? 'bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900' : 'border border-slate-300 dark:border-slate-700'}`}>
            {t(id === 'browse' ? 'explorer.browse' : 'explorer.tail')}
          </button>
        ))}
      </div>
      {/* Both stay mounted: switching tabs neither stops a tail nor forgets a scan. */}
      <div role="tabpanel" hidden={tab !== 'browse'}>
        <ScanView initialTopic={topic} />
      </div>
      <div role="tabpanel" hidden={tab !== 'tail'}>
        <TailView initialTopic={topic} />
      </div>
    </div>
  );
}

export default function ExplorerPage() {
  return (
    <Suspense>
      <Explorer />
    </Suspense>
  );
}
