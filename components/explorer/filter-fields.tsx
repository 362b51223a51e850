'use client';
/** The filters the scan and the tail share, each error beside its field; the JSON filter's grammar one click away. */
import { useEffect, useState } from 'react';
import { Field, inputClass } from '@/components/ui/form';
import { EXPLORER_FILTER_CHARS_MAX } from '@broker/config/limits';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import { useQuery } from '@tanstack/react-query';
import { existingTopicSchema } from '@/lib/validation';
import type { FilterInput } from '@/lib/explorer/schema';

export const EMPTY_FILTERS: FilterInput = { tag: '', key: '', property: '', body: '', bodyMode: 'contains', ignoreCase: false, json: '' };

export function FilterFields({ value, onChange, errors, prefix = '' }: { value: FilterInput; onChange: (next: FilterInput) => void; errors: Record<string, string>; prefix?: string }) {
  const { t } = useI18n();
  const set = <K extends keyof FilterInput>(key: K, v: FilterInput[K]) => onChange({ ...value, [key]: v });
  return (
    <fieldset className="space-y-2 rounded border border-slate-200 p-3 dark:border-slate-800">
      <legend className="px-1 text-sm font-medium">{t('explorer.filters')}</legend>
      <div className="flex flex-wrap items-start gap-3">
        <Field name={`${prefix}tag`} label={t('explorer.filter.tag')} error={errors.tag} className="w-48">
          <input name={`${prefix}tag`} className={inputClass} value={value.tag} placeholder="TagA || TagB" onChange={(e) => set('tag', e.target.value)} aria-invalid={!!errors.tag} />
        </Field>
        <Field name={`${prefix}key`} label={t('explorer.filter.key')} error={errors.key} className="w-48">
          <input name={`${prefix}key`} className={inputClass} value={value.key} onChange={(e) => set('key', e.target.value)} aria-invalid={!!errors.key} />
        </Field>
        <Field name={`${prefix}property`} label={t('explorer.filter.property')} error={errors.property} className="w-56">
          <input name={`${prefix}property`} className={`${inputClass} font-mono`} value={value.property} placeholder="name=value" onChange={(e) => set('property', e.target.value)} aria-invalid={!!errors.property} />
        </Field>
      </div>
      <div className="flex flex-wrap items-start gap-3">
        <Field name={`${prefix}body`} label={t('explorer.filter.body')} error={errors.body} className="min-w-72 flex-1">
          <input name={`${prefix}body`} className={`${inputClass} font-mono`} value={value.body} maxLength={EXPLORER_FILTER_CHARS_MAX} placeholder={value.bodyMode === 'regex' ? '^ORDER-\\d+' : 'text'} onChange={(e) => set('body', e.target.value)} aria-invalid={!!errors.body} />
        </Field>
        <label className="block text-sm">
          <span className="mb-1 block text-slate-600 dark:text-slate-300">{t('explorer.filter.bodyMode')}</span>
          <select name={`${prefix}bodyMode`} className={inputClass} value={value.bodyMode} onChange={(e) => set('bodyMode', e.target.value as FilterInput['bodyMode'])}>
            <option value="contains">{t('explorer.filter.contains')}</option>
            <option value="regex">{t('explorer.filter.regex')}</option>
          </select>
        </label>
        <label className="mt-6 flex items-center gap-1 text-sm">
          <input type="checkbox" name={`${prefix}ignoreCase`} checked={value.ignoreCase} onChange={(e) => set('ignoreCase', e.target.checked)} />
          {t('explorer.filter.ignoreCase')}
        </label>
      </div>
      <Field name={`${prefix}json`} label={t('explorer.filter.json')} error={errors.json}>
        <input name={`${prefix}json`} className={`${inputClass} font-mono`} value={value.json} maxLength={EXPLORER_FILTER_CHARS_MAX} placeholder='$.order.status == "PAID" && $.order.amount >= 100' onChange={(e) => set('json', e.target.value)} aria-invalid={!!errors.json} />
      </Field>
      <details className="text-xs text-slate-600 dark:text-slate-300">
        <summary className="cursor-pointer">{t('explorer.json.help')}</summary>
        <div className="mt-1 space-y-1">
          <p>{t('explorer.json.grammar')}</p>
          <pre className="whitespace-pre-wrap rounded bg-slate-100 p-2 font-mono dark:bg-slate-800">{JSON_FILTER_EXAMPLES}</pre>
        </div>
      </details>
    </fieldset>
  );
}

const JSON_FILTER_EXAMPLES = [
  '$.order.status == "PAID"            equals (strings, numbers, true, false, null)',
  'order.amount >= 100                  $ may be left out; < <= > >= on numbers or strings',
  '$.items[*].sku == "A1"               [*] any element, [0] the first, [-1] the last',
  '$.customer.email                     a path alone: it exists',
  '!$.error                             ! not: the path is missing',
  '$.a == 1 && ($.b == 2 || $.c)        && binds tighter than ||; parentheses group',
  '$["odd key"] != null                 quoted names in [ ]',
].join('\n');

export interface QueueOption {
  queue: string;
  brokerName: string;
  queueId: number;
  minOffset: number;
  maxOffset: number;
}

/** The topic's queues to choose from (none chosen = all), with each queue's offsets. */
export function QueuePicker({ topic, value, onChange, error, name = 'queues' }: { topic: string; value: string[]; onChange: (next: string[]) => void; error?: string; name?: string }) {
  const { t } = useI18n();
  const [debounced, setDebounced] = useState(topic);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(topic.trim()), 300);
    return () => clearTimeout(timer);
  }, [topic]);
  const valid = existingTopicSchema.safeParse(debounced).success;
  const queues = useQuery({
    queryKey: queryKeys.explorer.queues(debounced),
    queryFn: () => fetchJson<{ queues: QueueOption[] }>(`/api/explorer/queues?topic=${encodeURIComponent(debounced)}`),
    enabled: valid,
    retry: false,
  });
  const all = queues.data?.queues ?? [];
  const chosen = value.filter((q) => all.some((o) => o.queue === q));
  const summary = !valid || queues.isError ? t('explorer.queues.pickTopic') : chosen.length === 0 ? t('explorer.queues.all', { count: all.length }) : t('explorer.queues.some', { count: chosen.length, total: all.length });
  const toggle = (queue: string, on: boolean) => onChange(on ? [...chosen, queue] : chosen.filter((q) => q !== queue));
  return (
    <div className="relative text-sm">
      <span className="mb-1 block text-slate-600 dark:text-slate-300">{t('explorer.queues')}</span>
      <details className="group">
        <summary data-testid={`${name}-picker`} className={`${inputClass} w-56 cursor-pointer list-none`}>
          {summary}
        </summary>
        {all.length > 0 && (
          <div className="absolute z-20 mt-1 max-h-72 w-72 overflow-y-auto rounded border border-slate-300 bg-white p-2 shadow dark:border-slate-700 dark:bg-slate-900">
            <button type="button" className="mb-1 text-xs text-sky-700 underline dark:text-sky-400" onClick={() => onChange([])}>
              {t('explorer.queues.useAll')}
            </button>
            {all.map((q) => (
              <label key={q.queue} className="flex items-center gap-2 py-0.5">
                <input type="checkbox" checked={chosen.includes(q.queue)} onChange={(e) => toggle(q.queue, e.target.checked)} />
                <span className="font-mono">{q.queue}</span>
                <span className="text-xs text-slate-500">{t('explorer.queues.offsets', { min: q.minOffset, max: q.maxOffset })}</span>
              </label>
            ))}
          </div>
        )}
      </details>
      {error && (
        <p id={`${name}-error`} role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
