'use client';
/** A topic picker fed by /api/topics, with free text for topics not listed yet. */
import { useQuery } from '@tanstack/react-query';
import { inputClass } from '@/components/ui/form';
import { fetchJson } from '@/lib/fetch-json';
import { queryKeys } from '@/lib/query-keys';

export function TopicInput({ name, label, value, onChange, invalid, filter }: { name: string; label: string; value: string; onChange: (v: string) => void; invalid?: boolean; filter?: (topic: string) => boolean }) {
  const topics = useQuery({ queryKey: queryKeys.topics.all(), queryFn: () => fetchJson<{ topics: { topic: string; kind: string }[] }>('/api/topics') });
  const options = (topics.data?.topics ?? []).map((x) => x.topic).filter(filter ?? ((x) => !x.startsWith('%')));
  return (
    <>
      <input name={name} aria-label={label} list={`${name}-options`} className={inputClass} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid} autoComplete="off" />
      <datalist id={`${name}-options`}>
        {options.slice(0, 500).map((x) => (
          <option key={x} value={x} />
        ))}
      </datalist>
    </>
  );
}
