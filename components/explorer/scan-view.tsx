'use client';
/**
 * Browse: a topic's queues from a starting point (newest N per queue, oldest, a time, an offset) through the
 * filters, as a bounded scan on the server. The page polls it for progress ("scanned N of M") and new rows,
 * and can cancel it; leaving the page cancels it too.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { MessageAtDialog } from '@/components/message/message-detail';
import { TopicInput } from '@/components/message/topic-select';
import { dangerButton, errorsOf, Field, inputClass, primaryButton, zodFields } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import type { MessagePosition } from '@/lib/explorer/links';
import { SCAN_DEFAULTS, scanRequestSchema, type FilterInput } from '@/lib/explorer/schema';
import { fetchJson, formatNumber, fromLocalInput, toLocalInput } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import type { ScanSnapshot } from '@/lib/server/explorer/scan-registry';
import type { MessageRow } from '@/lib/server/messages';
import { EMPTY_FILTERS, FilterFields, QueuePicker } from './filter-fields';
import { MessageRows } from './message-rows';

const POLL_MS = 400;
type Seek = 'newest' | 'oldest' | 'time' | 'offset';

interface ScanForm {
  topic: string;
  queues: string[];
  seek: Seek;
  newest: string;
  seekTime: string;
  seekOffset: string;
  filters: FilterInput;
  maxMessages: string;
  maxResults: string;
  maxSeconds: string;
}

function requestOf(form: ScanForm) {
  return {
    topic: form.topic,
    queues: form.queues,
    seek: form.seek,
    newest: form.newest,
    ...(form.seek === 'time' && form.seekTime ? { seekTime: fromLocalInput(form.seekTime) } : {}),
    ...(form.seek === 'offset' && form.seekOffset.trim() !== '' ? { seekOffset: form.seekOffset } : {}),
    ...form.filters,
    maxMessages: form.maxMessages,
    maxResults: form.maxResults,
    maxSeconds: form.maxSeconds,
  };
}

function Progress({ snapshot }: { snapshot: ScanSnapshot }) {
  const { t } = useI18n();
  const goal = Math.max(1, Math.min(snapshot.total, snapshot.limits.maxMessages));
  const percent = Math.min(100, Math.round((snapshot.scanned / goal) * 100));
  const reason = snapshot.stopReason;
  return (
    <div className="space-y-1">
      <div className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800" role="progressbar" aria-label={t('explorer.progress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className={`h-full ${snapshot.state === 'running' ? 'bg-orange-500' : 'bg-slate-500'}`} style={{ width: `${percent}%` }} />
      </div>
      <p data-testid="scan-progress" className="text-sm tabular-nums">
        {t('explorer.scanned', { scanned: formatNumber(snapshot.scanned), total: formatNumber(snapshot.total) })}
        {' · '}
        {t('explorer.matched', { matched: formatNumber(snapshot.matched) })}
        {' · '}
        {(snapshot.elapsedMs / 1000).toFixed(1)} s
        {snapshot.state === 'running' ? ` · ${t('explorer.running')}` : ''}
      </p>
      {reason && (
        <p data-testid="scan-stop" className={`text-sm ${reason === 'error' || reason === 'regexTimeout' ? 'text-red-700 dark:text-red-400' : 'text-slate-600 dark:text-slate-300'}`}>
          {t(`explorer.stop.${reason}`, { messages: formatNumber(snapshot.limits.maxMessages), results: formatNumber(snapshot.limits.maxResults), seconds: snapshot.limits.maxSeconds })}
          {snapshot.error ? `: ${snapshot.error}` : ''}
        </p>
      )}
    </div>
  );
}

export function ScanView({ initialTopic }: { initialTopic: string }) {
  const { t } = useI18n();
  const [form, setForm] = useState<ScanForm>({
    topic: initialTopic, queues: [], seek: 'newest', newest: String(SCAN_DEFAULTS.newest), seekTime: toLocalInput(Date.now() - 3_600_000), seekOffset: '',
    filters: EMPTY_FILTERS, maxMessages: String(SCAN_DEFAULTS.maxMessages), maxResults: String(SCAN_DEFAULTS.maxResults), maxSeconds: String(SCAN_DEFAULTS.maxSeconds),
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [scan, setScan] = useState<{ snapshot: ScanSnapshot; rows: MessageRow[] } | null>(null);
  const [newestFirst, setNewestFirst] = useState(true);
  const [open, setOpen] = useState<MessagePosition | null>(null);
  const [starting, setStarting] = useState(false);
  const runningId = useRef<string | null>(null);

  const running = scan?.snapshot.state === 'running';
  runningId.current = running ? scan!.snapshot.id : null;

  // Poll the running scan for progress and the rows it found since the last poll.
  useEffect(() => {
    if (!scan || scan.snapshot.state !== 'running') return;
    let stopped = false;
    const timer = setTimeout(() => {
      fetchJson<ScanSnapshot>(`/api/explorer/scans/${scan.snapshot.id}?after=${scan.rows.length}`).then(
        (next) => !stopped && setScan((s) => (s && s.snapshot.id === next.id ? { snapshot: next, rows: [...s.rows.slice(0, next.resultsFrom), ...next.results] } : s)),
        (err) => !stopped && setErrors(errorsOf(err)),
      );
    }, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [scan]);

  // Leaving the page stops the scan at once (else the server stops it when nobody polls).
  useEffect(
    () => () => {
      if (runningId.current) void fetch(`/api/explorer/scans/${runningId.current}`, { method: 'DELETE', keepalive: true }).catch(() => undefined);
    },
    [],
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = scanRequestSchema.safeParse(requestOf(form));
    if (!parsed.success) {
      setErrors(zodFields(parsed.error.issues));
      return;
    }
    setErrors({});
    setScan(null);
    setStarting(true);
    setNewestFirst(form.seek === 'newest');
    fetchJson<ScanSnapshot>('/api/explorer/scans', { method: 'POST', body: JSON.stringify(parsed.data) })
      .then((snapshot) => setScan({ snapshot, rows: snapshot.results }), (err) => setErrors(errorsOf(err)))
      .finally(() => setStarting(false));
  };

  const cancel = () => {
    if (!scan) return;
    fetchJson<ScanSnapshot>(`/api/explorer/scans/${scan.snapshot.id}`, { method: 'DELETE' }).catch((err) => setErrors(errorsOf(err)));
  };

  const rows = useMemo(() => {
    const sorted = [...(scan?.rows ?? [])].sort((a, b) => a.storeTimestamp - b.storeTimestamp || a.queueId - b.queueId || a.queueOffset - b.queueOffset);
    return newestFirst ? sorted.reverse() : sorted;
  }, [scan, newestFirst]);

  const setField = <K extends keyof ScanForm>(key: K, value: ScanForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <div className="space-y-4">
      <form onSubmit={submit} noValidate className="space-y-3" aria-label={t('explorer.browse')}>
        <div className="flex flex-wrap items-start gap-3">
          <Field name="topic" label={t('topic.name')} error={errors.topic} className="w-64">
            <TopicInput name="topic" label={t('topic.name')} value={form.topic} onChange={(topic) => setField('topic', topic)} invalid={!!errors.topic} filter={() => true} />
          </Field>
          <QueuePicker topic={form.topic} value={form.queues} onChange={(queues) => setField('queues', queues)} error={errors.queues ?? Object.entries(errors).find(([k]) => k.startsWith('queues.'))?.[1]} />
          <fieldset className="text-sm">
            <legend className="mb-1 text-slate-600 dark:text-slate-300">{t('explorer.seek')}</legend>
            <div className="flex flex-wrap items-center gap-3">
              {(['newest', 'oldest', 'time', 'offset'] as const).map((seek) => (
                <label key={seek} className="flex items-center gap-1">
                  <input type="radio" name="seek" value={seek} checked={form.seek === seek} onChange={() => setField('seek', seek)} />
                  {t(`explorer.seek.${seek}`)}
                </label>
              ))}
            </div>
          </fieldset>
          {form.seek === 'newest' && (
            <Field name="newest" label={t('explorer.seek.newestCount')} error={errors.newest} className="w-36">
              <input name="newest" inputMode="numeric" className={inputClass} value={form.newest} onChange={(e) => setField('newest', e.target.value)} aria-invalid={!!errors.newest} />
            </Field>
          )}
          {form.seek === 'time' && (
            <Field name="seekTime" label={t('explorer.seek.timeValue')} error={errors.seekTime} className="w-56">
              <input name="seekTime" type="datetime-local" step={1} className={inputClass} value={form.seekTime} onChange={(e) => setField('seekTime', e.target.value)} aria-invalid={!!errors.seekTime} />
            </Field>
          )}
          {form.seek === 'offset' && (
            <Field name="seekOffset" label={t('explorer.seek.offsetValue')} error={errors.seekOffset} className="w-48">
              <input name="seekOffset" inputMode="numeric" className={inputClass} value={form.seekOffset} onChange={(e) => setField('seekOffset', e.target.value)} aria-invalid={!!errors.seekOffset} />
            </Field>
          )}
        </div>
        <FilterFields value={form.filters} onChange={(filters) => setField('filters', filters)} errors={errors} />
        <div className="flex flex-wrap items-end gap-3">
          <Field name="maxMessages" label={t('explorer.limit.messages')} error={errors.maxMessages} className="w-40">
            <input name="maxMessages" inputMode="numeric" className={inputClass} value={form.maxMessages} onChange={(e) => setField('maxMessages', e.target.value)} aria-invalid={!!errors.maxMessages} />
          </Field>
          <Field name="maxResults" label={t('explorer.limit.results')} error={errors.maxResults} className="w-32">
            <input name="maxResults" inputMode="numeric" className={inputClass} value={form.maxResults} onChange={(e) => setField('maxResults', e.target.value)} aria-invalid={!!errors.maxResults} />
          </Field>
          <Field name="maxSeconds" label={t('explorer.limit.seconds')} error={errors.maxSeconds} className="w-32">
            <input name="maxSeconds" inputMode="numeric" className={inputClass} value={form.maxSeconds} onChange={(e) => setField('maxSeconds', e.target.value)} aria-invalid={!!errors.maxSeconds} />
          </Field>
          <button type="submit" className={primaryButton} disabled={starting || running}>
            {t('explorer.scan')}
          </button>
          <button type="button" className={`${dangerButton} px-4 py-2 text-sm`} disabled={!running} onClick={cancel}>
            {t('explorer.cancel')}
          </button>
        </div>
      </form>
      {errors._ && <ErrorNote message={errors._} />}
      {scan && (
        <section aria-label={t('explorer.results')} className="space-y-2">
          <Progress snapshot={scan.snapshot} />
          <div className="flex items-center gap-3 text-xs">
            <label className="flex items-center gap-1">
              <input type="checkbox" checked={newestFirst} onChange={(e) => setNewestFirst(e.target.checked)} />
              {t('explorer.newestFirst')}
            </label>
          </div>
          {rows.length === 0 ? (
            <p className="text-sm text-slate-500">{scan.snapshot.state === 'running' ? t('explorer.noneYet') : t('message.none')}</p>
          ) : (
            <MessageRows rows={rows} onOpen={setOpen} testId="scan-results" />
          )}
        </section>
      )}
      {open && <MessageAtDialog at={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
