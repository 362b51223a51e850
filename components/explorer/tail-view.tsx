'use client';
/**
 * Live tail: new messages of a topic as they arrive, newest on top, through the same filters, at most `rate`
 * per second (the server counts the rest as skipped). Pause closes the stream (and the server's pulls) and
 * keeps each queue's cursor; Resume continues from there, so nothing is missed while paused.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MessageAtDialog } from '@/components/message/message-detail';
import { TopicInput } from '@/components/message/topic-select';
import { errorsOf, Field, inputClass, primaryButton, smallButton, zodFields } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import type { MessagePosition } from '@/lib/explorer/links';
import { TAIL_DEFAULT_RATE, tailRequestSchema, type FilterInput } from '@/lib/explorer/schema';
import { readEventStream } from '@/lib/explorer/sse-client';
import { formatNumber } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import type { TailStats } from '@/lib/server/explorer/tail';
import type { MessageRow } from '@/lib/server/messages';
import { EMPTY_FILTERS, FilterFields, QueuePicker } from './filter-fields';
import { MessageRows } from './message-rows';

/** Rows the page keeps; older ones are dropped from the bottom. */
const TAIL_ROWS_MAX = 500;

type State = 'idle' | 'connecting' | 'live' | 'paused' | 'ended';
type Counts = Omit<TailStats, 'cursor'>;
const ZERO: Counts = { received: 0, matched: 0, forwarded: 0, skipped: 0 };
const add = (a: Counts, b: Counts): Counts => ({ received: a.received + b.received, matched: a.matched + b.matched, forwarded: a.forwarded + b.forwarded, skipped: a.skipped + b.skipped });

export function TailView({ initialTopic }: { initialTopic: string }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ topic: initialTopic, queues: [] as string[], filters: EMPTY_FILTERS as FilterInput, rate: String(TAIL_DEFAULT_RATE) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [state, setState] = useState<State>('idle');
  const [rows, setRows] = useState<MessageRow[]>([]);
  const [totals, setTotals] = useState(ZERO);
  const [warning, setWarning] = useState<string | null>(null);
  const [endNote, setEndNote] = useState<string | null>(null);
  const [open, setOpen] = useState<MessagePosition | null>(null);
  const abort = useRef<AbortController | null>(null);
  const cursor = useRef<string[]>([]);
  // Stats of earlier streams of this tail (before a pause) plus the current one's.
  const before = useRef(ZERO);
  const current = useRef(ZERO);

  useEffect(() => () => abort.current?.abort(), []);

  const connect = (resume: boolean) => {
    const parsed = tailRequestSchema.safeParse({ ...form, ...form.filters, cursor: resume ? cursor.current : [] });
    if (!parsed.success) {
      setErrors(zodFields(parsed.error.issues));
      return;
    }
    setErrors({});
    setWarning(null);
    setEndNote(null);
    if (resume) before.current = add(before.current, current.current);
    else {
      setRows([]);
      before.current = ZERO;
      cursor.current = [];
    }
    current.current = ZERO;
    setTotals(before.current);
    const v = parsed.data;
    const params = new URLSearchParams({ topic: v.topic, queues: v.queues.join(','), tag: v.tag, key: v.key, property: v.property, body: v.body, bodyMode: v.bodyMode, ignoreCase: String(v.ignoreCase), json: v.json, rate: String(v.rate) });
    if (v.cursor.length > 0) params.set('cursor', v.cursor.join(','));
    const controller = new AbortController();
    abort.current?.abort();
    abort.current = controller;
    setState('connecting');
    readEventStream(`/api/explorer/tail?${params}`, controller.signal, (e) => {
      const data = JSON.parse(e.data) as unknown;
      if (e.event === 'start') setState('live');
      else if (e.event === 'message') setRows((r) => [data as MessageRow, ...r].slice(0, TAIL_ROWS_MAX));
      else if (e.event === 'stats') {
        const s = data as TailStats;
        cursor.current = s.cursor;
        current.current = { received: s.received, matched: s.matched, forwarded: s.forwarded, skipped: s.skipped };
        setTotals(add(before.current, current.current));
      } else if (e.event === 'warning') setWarning((data as { message: string }).message);
      else if (e.event === 'end') {
        const end = data as { reason: string; message?: string };
        if (end.reason !== 'stopped') setEndNote(end.message ?? end.reason);
        setState('ended');
      }
    }).then(
      () => !controller.signal.aborted && setState((s) => (s === 'live' || s === 'connecting' ? 'ended' : s)),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setState('idle');
        setErrors(errorsOf(err));
      },
    );
  };

  const pause = () => {
    abort.current?.abort();
    before.current = add(before.current, current.current);
    current.current = ZERO;
    setState('paused');
  };
  const stop = () => {
    abort.current?.abort();
    setState('idle');
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    connect(false);
  };

  const live = state === 'live' || state === 'connecting';
  const setField = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <div className="space-y-4">
      <form onSubmit={submit} noValidate className="space-y-3" aria-label={t('explorer.tail')}>
        <div className="flex flex-wrap items-start gap-3">
          <Field name="tail-topic" label={t('topic.name')} error={errors.topic} className="w-64">
            <TopicInput name="tail-topic" label={t('topic.name')} value={form.topic} onChange={(topic) => setField('topic', topic)} invalid={!!errors.topic} filter={() => true} />
          </Field>
          <QueuePicker topic={form.topic} value={form.queues} onChange={(queues) => setField('queues', queues)} error={errors.queues} name="tail-queues" />
          <Field name="tail-rate" label={t('explorer.tail.rate')} error={errors.rate} className="w-40">
            <input name="tail-rate" inputMode="numeric" className={inputClass} value={form.rate} onChange={(e) => setField('rate', e.target.value)} aria-invalid={!!errors.rate} />
          </Field>
        </div>
        <FilterFields prefix="tail-" value={form.filters} onChange={(filters) => setField('filters', filters)} errors={errors} />
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={primaryButton} disabled={live}>
            {t('explorer.tail.start')}
          </button>
          <button type="button" className={smallButton} disabled={state !== 'live'} onClick={pause}>
            {t('explorer.tail.pause')}
          </button>
          <button type="button" className={smallButton} disabled={state !== 'paused' && state !== 'ended'} onClick={() => connect(true)}>
            {t('explorer.tail.resume')}
          </button>
          <button type="button" className={smallButton} disabled={state === 'idle'} onClick={stop}>
            {t('explorer.tail.stop')}
          </button>
          <button type="button" className={smallButton} disabled={rows.length === 0} onClick={() => setRows([])}>
            {t('explorer.tail.clear')}
          </button>
        </div>
      </form>
      {errors._ && <ErrorNote message={errors._} />}
      {state !== 'idle' && (
        <p data-testid="tail-stats" className="flex flex-wrap items-center gap-x-3 text-sm tabular-nums">
          <span data-testid="tail-state" className={`rounded px-2 py-0.5 text-xs font-medium uppercase ${state === 'live' ? 'bg-emerald-600 text-white' : 'bg-slate-300 dark:bg-slate-700'}`}>
            {t(`explorer.tail.state.${state}`)}
          </span>
          <span>{t('explorer.tail.received', { n: formatNumber(totals.received) })}</span>
          <span>{t('explorer.tail.matched', { n: formatNumber(totals.matched) })}</span>
          <span data-testid="tail-shown">{t('explorer.tail.shown', { n: formatNumber(totals.forwarded) })}</span>
          <span data-testid="tail-skipped" className={totals.skipped > 0 ? 'text-amber-700 dark:text-amber-400' : ''}>
            {t('explorer.tail.skipped', { n: formatNumber(totals.skipped), rate: form.rate })}
          </span>
        </p>
      )}
      {warning && <p className="text-xs text-amber-700 dark:text-amber-400">{warning}</p>}
      {endNote && <ErrorNote message={endNote} />}
      {rows.length > 0 && (
        <>
          {rows.length >= TAIL_ROWS_MAX && <p className="text-xs text-slate-500">{t('explorer.tail.kept', { max: TAIL_ROWS_MAX })}</p>}
          <MessageRows rows={rows} onOpen={setOpen} testId="tail-rows" />
        </>
      )}
      {state !== 'idle' && rows.length === 0 && <p className="text-sm text-slate-500">{t('explorer.tail.waiting')}</p>}
      {open && <MessageAtDialog at={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
