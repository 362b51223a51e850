'use client';
/** The Consumer page's dialogs: CLIENT, CONSUME DETAIL, CONFIG, create/update and DELETE. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AdminOnly } from '@/components/security/session';
import { QueueLagTable, type QueueLag } from '@/components/topic/topic-views';
import { Dialog } from '@/components/ui/dialog';
import { TargetPicker, type BrokerChoice } from '@/components/cluster/target-picker';
import { dangerButton, errorsOf, Field, inputClass, primaryButton, smallButton, useValidation, withDefaultCluster } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatNumber, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import { subscriptionGroupSchema } from '@/lib/validation';

interface Connection {
  online: boolean;
  connections: ClientConnectionRow[];
  subscriptions: { topic: string; subString: string; expressionType?: string; subVersion?: number }[];
  consumeType: string | null;
  messageModel: string | null;
  consumeFromWhere: string | null;
}

export function ClientDialog({ group, onClose }: { group: string; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({ queryKey: queryKeys.consumers.detail(group, 'connection'), queryFn: () => fetchJson<Connection>(`/api/consumers/${encodeURIComponent(group)}?view=connection`) });
  return (
    <Dialog title={`${t('consumer.client')} · ${group}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && !data.online && <p className="text-sm text-slate-500">{t('consumer.offline')}</p>}
      {data?.online && (
        <div className="space-y-4">
          <p className="text-sm">
            {t('consumer.type')}: <b>{data.consumeType}</b> · {t('consumer.mode')}: <b>{data.messageModel}</b> · {t('consumer.fromWhere')}: <b>{data.consumeFromWhere}</b>
          </p>
          <ConnectionsTable testId="consumer-clients" connections={data.connections} />
          <Table testId="consumer-subscriptions" head={[t('topic.name'), t('consumer.expression')]}>
            {data.subscriptions.map((s) => (
              <tr key={s.topic}>
                <td className={`${td} font-mono`}>{s.topic}</td>
                <td className={`${td} font-mono`}>{s.subString}</td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </Dialog>
  );
}

interface Detail {
  consumeTps: number;
  lag: number;
  queues: QueueLag[];
}

export function ConsumeDetailDialog({ group, onClose }: { group: string; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({ queryKey: queryKeys.consumers.detail(group, 'detail'), queryFn: () => fetchJson<Detail>(`/api/consumers/${encodeURIComponent(group)}?view=detail`), refetchInterval: 5_000 });
  return (
    <Dialog title={`${t('consumer.detail')} · ${group}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && (
        <>
          <p className="mb-2 text-sm">
            {t('consumer.tps')}: <b>{formatNumber(data.consumeTps)}</b> · {t('consumer.lag')}: <b data-testid="detail-lag">{data.lag}</b>
          </p>
          {data.queues.length === 0 ? (
            <p className="text-sm text-slate-500">{t('consumer.noOffsets')}</p>
          ) : (
            <QueueLagTable queues={data.queues} withTopic testId="consume-detail" />
          )}
        </>
      )}
    </Dialog>
  );
}

type GroupConfig = {
  groupName: string;
  consumeEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
};

export function GroupConfigDialog({ group, onClose, onEdit }: { group: string; onClose: () => void; onEdit: (config: GroupConfig, brokers: string[]) => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({
    queryKey: queryKeys.consumers.detail(group, 'config'),
    queryFn: () => fetchJson<{ configs: { brokerName: string; addr: string; config: GroupConfig }[] }>(`/api/consumers/${encodeURIComponent(group)}?view=config`),
  });
  return (
    <Dialog title={`${t('consumer.config')} · ${group}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && data.configs.length === 0 && <p className="text-sm text-slate-500">{t('consumer.noConfig')}</p>}
      {data?.configs.map((c) => (
        <section key={c.brokerName} className="mb-3">
          <h3 className="mb-1 flex items-center gap-3 text-sm font-medium">
            {c.brokerName} <span className="font-mono text-slate-500">{c.addr}</span>
            <AdminOnly>
              <button type="button" className={smallButton} onClick={() => onEdit(c.config, [c.brokerName])}>
                {t('common.edit')}
              </button>
            </AdminOnly>
          </h3>
          <Table head={[t('consumer.setting'), t('consumer.value')]}>
            {Object.entries(c.config)
              .filter(([k]) => k !== 'groupName')
              .map(([k, v]) => (
                <tr key={k}>
                  <td className={`${td} font-mono`}>{k}</td>
                  <td className={`${td} font-mono`}>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                </tr>
              ))}
          </Table>
        </section>
      ))}
    </Dialog>
  );
}

export interface GroupFormValues {
  groupName: string;
  clusters: string[];
  brokers: string[];
  consumeEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: string;
  retryMaxTimes: string;
  brokerId: string;
  whichBrokerWhenConsumeSlowly: string;
}

export function GroupFormDialog({ clusters, brokers, initial, onClose }: { clusters: string[]; brokers: BrokerChoice[]; initial?: Partial<GroupFormValues>; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<GroupFormValues>({
    groupName: '', clusters: [], brokers: [], consumeEnable: true, consumeBroadcastEnable: true, consumeFromMinEnable: true,
    consumeMessageOrderly: false, retryQueueNums: '1', retryMaxTimes: '16', brokerId: '0', whichBrokerWhenConsumeSlowly: '1', ...initial,
  });
  const { errors, setErrors, validate } = useValidation(subscriptionGroupSchema);
  const mutation = useMutation({
    mutationFn: (body: unknown) => fetchJson<{ group: string; brokers: string[] }>('/api/consumers', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.consumers.all() }),
    onError: (err) => setErrors(errorsOf(err)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const target = withDefaultCluster(form, clusters);
    if (validate(target)) mutation.mutate(target);
  };
  const text = (name: 'groupName' | 'retryQueueNums' | 'retryMaxTimes' | 'brokerId' | 'whichBrokerWhenConsumeSlowly', label: string, readOnly = false) => (
    <Field name={name} label={label} error={errors[name]}>
      <input name={name} readOnly={readOnly} className={inputClass} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} aria-invalid={!!errors[name]} />
    </Field>
  );
  const flag = (name: 'consumeEnable' | 'consumeBroadcastEnable' | 'consumeFromMinEnable' | 'consumeMessageOrderly') => (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" name={name} checked={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.checked })} />
      <span className="font-mono">{name}</span>
    </label>
  );
  return (
    <Dialog title={t('consumer.add')} onClose={onClose} closeLabel={t('common.close')}>
      <form onSubmit={submit} noValidate className="grid grid-cols-1 gap-3 md:grid-cols-2">
        {text('groupName', t('consumer.group'), !!initial?.groupName)}
        <TargetPicker form={form} onChange={setForm} clusters={clusters} brokers={brokers} errors={errors} />
        {text('retryQueueNums', t('consumer.retryQueues'))}
        {text('retryMaxTimes', t('consumer.retryMaxTimes'))}
        {text('brokerId', t('consumer.brokerId'))}
        {text('whichBrokerWhenConsumeSlowly', t('consumer.slowBrokerId'))}
        <div className="space-y-1 md:col-span-2">
          {flag('consumeEnable')}
          {flag('consumeBroadcastEnable')}
          {flag('consumeFromMinEnable')}
          {flag('consumeMessageOrderly')}
        </div>
        <div className="md:col-span-2">
          {errors._ && <ErrorNote message={errors._} />}
          {mutation.data && (
            <p role="status" className="mb-2 text-sm text-emerald-700 dark:text-emerald-400">
              {t('consumer.saved', { group: mutation.data.group, brokers: mutation.data.brokers.join(', ') })}
            </p>
          )}
          <button type="submit" disabled={mutation.isPending || (clusters.length === 0 && form.brokers.length === 0)} title={clusters.length === 0 && form.brokers.length === 0 ? t('common.loading') : undefined} className={primaryButton}>
            {mutation.isPending ? t('common.loading') : t('topic.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DeleteGroupDialog({ group, onClose }: { group: string; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: () => fetchJson(`/api/consumers/${encodeURIComponent(group)}?confirm=${encodeURIComponent(typed)}`, { method: 'DELETE' }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.consumers.all() });
      onClose();
    },
    onError: (err) => setError(Object.values(errorsOf(err))[0] ?? null),
  });
  return (
    <Dialog title={`${t('topic.delete')} · ${group}`} onClose={onClose} closeLabel={t('common.close')}>
      <label className="block text-sm">
        {t('consumer.confirmDelete', { group })}
        <input name="confirm" className={`${inputClass} mt-1`} value={typed} onChange={(e) => setTyped(e.target.value)} />
      </label>
      {error && <p role="alert" className="mt-1 text-xs text-red-600">{error}</p>}
      <button type="button" disabled={typed !== group || mutation.isPending} onClick={() => mutation.mutate()} className={`${dangerButton} mt-3 px-4 py-2 text-sm`}>
        {t('topic.delete')}
      </button>
    </Dialog>
  );
}

export interface ClientConnectionRow {
  clientId: string;
  clientAddr: string;
  language: string;
  versionDesc: string;
  /** 'gRPC' for RocketMQ 5.x clients (their version is then their own, e.g. 1.0.8); absent for remoting clients. */
  protocol?: string;
  clientVersion?: string;
}

/** Clients of a consumer or producer group. */
export function ConnectionsTable({ connections, testId }: { connections: ClientConnectionRow[]; testId?: string }) {
  const { t } = useI18n();
  return (
    <Table testId={testId} head={[t('consumer.clientId'), t('consumer.protocol'), t('consumer.clientAddr'), t('consumer.language'), t('cluster.version')]}>
      {connections.map((c) => (
        <tr key={`${c.clientId}-${c.clientAddr}`}>
          <td className={`${td} font-mono`}>{c.clientId}</td>
          <td className={td}>{c.protocol === 'gRPC' ? 'gRPC' : 'remoting'}</td>
          <td className={`${td} font-mono`}>{c.clientAddr}</td>
          <td className={td}>{c.language}</td>
          <td className={td}>{c.protocol === 'gRPC' && c.clientVersion ? c.clientVersion : c.versionDesc}</td>
        </tr>
      ))}
    </Table>
  );
}
