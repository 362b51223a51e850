'use client';
/**
 * Where a topic or group is created: whole clusters (every master in them) and/or single brokers, the way
 * RocketMQ Dashboard's forms offer clusterNameList and brokerNameList. With nothing chosen the form falls back
 * to the first cluster (withDefaultCluster), shown as selected so the operator sees what will happen.
 */
import { Field, inputClass, withDefaultCluster } from '@/components/ui/form';
import { useI18n } from '@/lib/i18n';

export interface Targets {
  clusters: string[];
  brokers: string[];
}

export interface BrokerChoice {
  brokerName: string;
  cluster: string;
}

/** Master brokers of a cluster overview, one per broker name, sorted. */
export function brokerChoices(brokers: { brokerName: string; cluster: string; role: string }[] | undefined): BrokerChoice[] {
  const seen = new Map<string, BrokerChoice>();
  for (const b of brokers ?? []) if (b.role === 'MASTER' && !seen.has(b.brokerName)) seen.set(b.brokerName, { brokerName: b.brokerName, cluster: b.cluster });
  return [...seen.values()].sort((a, b) => a.brokerName.localeCompare(b.brokerName));
}

const selected = (select: HTMLSelectElement) => [...select.selectedOptions].map((o) => o.value);

export function TargetPicker<F extends Targets>({ form, onChange, clusters, brokers, errors }: {
  form: F;
  onChange: (next: F) => void;
  clusters: string[];
  brokers: BrokerChoice[];
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  const shown = withDefaultCluster(form, clusters);
  return (
    <>
      <Field name="clusters" label={t('cluster.target.clusters')} error={errors.clusters}>
        <select name="clusters" multiple aria-invalid={!!errors.clusters} className={inputClass} value={shown.clusters} onChange={(e) => onChange({ ...form, clusters: selected(e.target) })}>
          {clusters.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </Field>
      <Field name="brokers" label={t('cluster.target.brokers')} error={errors.brokers}>
        <select name="brokers" multiple aria-invalid={!!errors.brokers} className={inputClass} value={form.brokers} onChange={(e) => onChange({ ...form, brokers: selected(e.target) })}>
          {brokers.map((b) => (
            <option key={b.brokerName} value={b.brokerName}>
              {b.brokerName} · {b.cluster}
            </option>
          ))}
        </select>
      </Field>
      <p className="text-xs text-slate-500 md:col-span-2">{t('cluster.target.hint')}</p>
    </>
  );
}
