'use client';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState, type FormEvent } from 'react';
import { MessageKeySearch } from '@/components/message/key-search';
import { Field, inputClass, primaryButton } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import type { TraceTimeline } from '@/lib/server/trace';
import { messageIdSchema } from '@/lib/validation';

const MSG_TYPES = ['Normal', 'Transaction half', 'Transaction commit', 'Delay'];
const CONTEXT_CODES = ['SUCCESS', 'TIME_OUT', 'EXCEPTION', 'RETURN_NULL', 'FAILED'];

/** A bar from the send time: where an attempt started and how long it took, on one shared scale. */
function Bar({ from, start, cost, span, ok }: { from: number; start: number | null; cost: number | null; span: number; ok: boolean | null }) {
  if (start === null) return null;
  const left = Math.min(100, ((start - from) / span) * 100);
  const width = Math.max(0.8, Math.min(100 - left, ((cost ?? 0) / span) * 100));
  return (
    <div className="relative h-3 w-64 rounded bg-slate-100 dark:bg-slate-800" aria-hidden>
      <div className={`absolute h-3 rounded ${ok === false ? 'bg-red-500' : ok === null ? 'bg-amber-400' : 'bg-emerald-500'}`} style={{ left: `${left}%`, width: `${width}%` }} />
    </div>
  );
}

function TraceView({ id }: { id: string }) {
  const { t } = useI18n();
  const { data, error, isLoading } = useQuery({ queryKey: ['trace', id], queryFn: () => fetchJson<TraceTimeline>(`/api/trace/${encodeURIComponent(id)}`), refetchInterval: 5_000 });
  if (isLoading) return <p className="text-sm text-slate-500">{t('common.loading')}</p>;
  if (error) return <ErrorNote message={(error as Error).message} />;
  if (!data || data.records === 0) return <p className="text-sm text-slate-500">{t('trace.none')}</p>;
  const from = data.pub?.at ?? Math.min(...data.groups.flatMap((g) => g.attempts.map((a) => a.startedAt ?? Infinity)));
  const end = Math.max(from + 1, ...data.groups.flatMap((g) => g.attempts.map((a) => (a.startedAt ?? from) + (a.costTime ?? 0))), from + (data.pub?.costTime ?? 0));
  const span = end - from;
  return (
    <div className="space-y-4" data-testid="trace-timeline">
      <p className="text-xs text-slate-500">{t('trace.span', { ms: span, records: data.records })}</p>
      <section aria-label={t('trace.send')} className="rounded-md border border-slate-200 bg-white p-3 text-sm dark:border-slate-800 dark:bg-slate-900">
        <h2 className="mb-2 font-medium">{t('trace.send')}</h2>
        {data.pub ? (
          <Table head={[t('trace.time'), t('producer.group'), t('topic.name'), t('message.tag'), t('message.keys'), t('trace.storeHost'), t('trace.type'), t('trace.cost'), t('message.trackType'), '']}>
            <tr>
              <td className={td}>{formatTime(data.pub.at)}</td>
              <td className={`${td} font-mono`}>{data.pub.group}</td>
              <td className={`${td} font-mono`}>{data.pub.topic}</td>
              <td className={td}>{data.pub.tags ?? ''}</td>
              <td className={td}>{data.pub.keys ?? ''}</td>
              <td className={`${td} font-mono`}>{data.pub.storeHost}</td>
              <td className={td}>{MSG_TYPES[data.pub.msgType ?? 0] ?? data.pub.msgType}</td>
              <td className={`${td} tabular-nums`}>{data.pub.costTime} ms</td>
              <td className={`${td} font-medium ${data.pub.success ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-600'}`}>{data.pub.success ? 'SEND_OK' : t('trace.failed')}</td>
              <td className={td}>
                <Bar from={from} start={data.pub.at} cost={data.pub.costTime} span={span} ok={data.pub.success} />
              </td>
            </tr>
          </Table>
        ) : (
          <p className="text-slate-500">{t('trace.noPub')}</p>
        )}
        {data.transaction.map((x, i) => (
          <p key={i} className="mt-1 text-xs">
            {t('trace.transaction')}: {x.state} {x.fromCheck ? `(${t('trace.fromCheck')})` : ''} · {formatTime(x.at)}
          </p>
        ))}
      </section>
      {data.groups.length === 0 && <p className="text-sm text-slate-500">{t('trace.noConsume')}</p>}
      {data.groups.map((g) => (
        <section key={g.group} aria-label={g.group} className="rounded-md border border-slate-200 bg-white p-3 text-sm dark:border-slate-800 dark:bg-slate-900">
          <h2 className="mb-2 flex gap-3 font-medium">
            <span className="font-mono">{g.group}</span>
            <span className={g.consumed ? 'text-emerald-700 dark:text-emerald-400' : 'text-amber-700 dark:text-amber-400'}>{g.consumed ? t('trace.consumed') : t('trace.notConsumed')}</span>
          </h2>
          <Table head={[t('trace.attempt'), t('trace.time'), t('trace.retryTimes'), t('trace.cost'), t('message.trackType'), '']}>
            {g.attempts.map((a, i) => (
              <tr key={a.requestId}>
                <td className={td}>{i + 1}</td>
                <td className={td}>{formatTime(a.startedAt)}</td>
                <td className={`${td} tabular-nums`}>{a.retryTimes}</td>
                <td className={`${td} tabular-nums`}>{a.costTime === null ? '–' : `${a.costTime} ms`}</td>
                <td className={`${td} font-medium ${a.success ? 'text-emerald-700 dark:text-emerald-400' : a.success === false ? 'text-red-600' : 'text-amber-700'}`}>
                  {a.success === null ? t('trace.inProgress') : (CONTEXT_CODES[a.contextCode ?? 0] ?? String(a.contextCode))}
                </td>
                <td className={td}>
                  <Bar from={from} start={a.startedAt} cost={a.costTime} span={span} ok={a.success} />
                </td>
              </tr>
            ))}
          </Table>
        </section>
      ))}
    </div>
  );
}

function TracePageInner() {
  const { t } = useI18n();
  const initial = useSearchParams().get('id') ?? '';
  const [text, setText] = useState(initial);
  const [id, setId] = useState(initial && messageIdSchema.safeParse(initial).success ? initial.toUpperCase() : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = messageIdSchema.safeParse(text);
    if (!parsed.success) {
      setErrors({ id: parsed.error.issues[0]?.message ?? '' });
      return;
    }
    setErrors({});
    setId(parsed.data.toUpperCase());
  };
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('trace.title')}</h1>
      <p className="text-sm text-slate-500">{t('trace.explain')}</p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="id" label={t('message.id')} error={errors.id} className="w-[36rem]">
          <input name="id" className={`${inputClass} font-mono`} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={!!errors.id} />
        </Field>
        <button type="submit" className={primaryButton}>
          {t('message.search')}
        </button>
      </form>
      <MessageKeySearch buttonLabel={t('trace.findByKey')} testId="trace-key-results" onOpen={(row) => { setText(row.msgId); setId(row.msgId); }} />
      {id && <TraceView id={id} />}
    </div>
  );
}

export default function TracePage() {
  return (
    <Suspense>
      <TracePageInner />
    </Suspense>
  );
}
