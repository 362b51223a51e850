'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { brokerChoices, TargetPicker, type BrokerChoice } from '@/components/cluster/target-picker';
import { SparklineCell, TopicHistoryDialog, useSparklines } from '@/components/history/history-views';
import { AdminOnly, useIsAdmin } from '@/components/security/session';
import { ResetOffsetDialog } from '@/components/topic/reset-offset-dialog';
import { SendMessageDialog } from '@/components/topic/send-message-dialog';
import { ConsumerManageDialog, TopicConfigDialog } from '@/components/topic/topic-views';
import { Dialog } from '@/components/ui/dialog';
import { dangerButton, FieldError, inputClass as input, Pager, smallButton as button, useValidation, withDefaultCluster } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import type { ClusterOverview } from '@/lib/cluster-types';
import { ApiError, fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import { createTopicSchema, topicMessageType, type TopicKind } from '@/lib/validation';

interface TopicRow {
  topic: string;
  kind: TopicKind;
  messageType: string;
}

const MESSAGE_TYPES = ['FIFO', 'DELAY', 'TRANSACTION'];

const KINDS: ('ALL' | TopicKind)[] = ['ALL', 'NORMAL', 'RETRY', 'DLQ', 'SYSTEM'];
const PAGE_SIZE = 100;

interface TopicFormValues {
  topic: string;
  clusters: string[];
  brokers: string[];
  readQueueNums: string;
  writeQueueNums: string;
  perm: string;
  messageType: string;
}

function CreateTopicDialog({ clusters, brokers, initial, onClose }: { clusters: string[]; brokers: BrokerChoice[]; initial?: Partial<TopicFormValues>; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<TopicFormValues>({
    topic: '', clusters: [], brokers: [], readQueueNums: '8', writeQueueNums: '8', perm: '6', messageType: 'NORMAL', ...initial,
  });
  const { errors, setErrors, validate } = useValidation(createTopicSchema);
  const [done, setDone] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: (body: unknown) => fetchJson<{ topic: string; brokers: string[] }>('/api/topics', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (result) => {
      setDone(t('topic.created', { topic: result.topic, brokers: result.brokers.join(', ') }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.topics.all() });
    },
    onError: (err) => setErrors(err instanceof ApiError && Object.keys(err.fields).length > 0 ? err.fields : { _: (err as Error).message }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const target = withDefaultCluster(form, clusters);
    if (validate(target)) mutation.mutate(target);
  };
  const field = (name: keyof TopicFormValues, label: string, control: React.ReactNode) => (
    <label className="block text-sm">
      <span className="mb-1 block text-slate-600 dark:text-slate-300">{label}</span>
      {control}
      <FieldError id={`${name}-error`} message={errors[name]} />
    </label>
  );
  return (
    <Dialog title={t('topic.add')} onClose={onClose} closeLabel={t('common.close')}>
      <form onSubmit={submit} noValidate className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {field('topic', t('topic.name'), <input name="topic" readOnly={!!initial?.topic} aria-invalid={!!errors.topic} aria-describedby="topic-error" className={input} value={form.topic} onChange={(e) => setForm({ ...form, topic: e.target.value })} />)}
        <TargetPicker form={form} onChange={setForm} clusters={clusters} brokers={brokers} errors={errors} />
        {field('writeQueueNums', t('topic.writeQueues'), <input name="writeQueueNums" inputMode="numeric" aria-invalid={!!errors.writeQueueNums} className={input} value={form.writeQueueNums} onChange={(e) => setForm({ ...form, writeQueueNums: e.target.value })} />)}
        {field('readQueueNums', t('topic.readQueues'), <input name="readQueueNums" inputMode="numeric" aria-invalid={!!errors.readQueueNums} className={input} value={form.readQueueNums} onChange={(e) => setForm({ ...form, readQueueNums: e.target.value })} />)}
        {field(
          'perm',
          t('topic.perm'),
          <select name="perm" className={input} value={form.perm} onChange={(e) => setForm({ ...form, perm: e.target.value })}>
            <option value="6">6 (read + write)</option>
            <option value="4">4 (read only)</option>
            <option value="2">2 (write only)</option>
          </select>,
        )}
        {field(
          'messageType',
          t('topic.messageType'),
          <select name="messageType" className={input} value={form.messageType} onChange={(e) => setForm({ ...form, messageType: e.target.value })}>
            {['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>,
        )}
        <div className="md:col-span-2">
          {errors._ && <ErrorNote message={errors._} />}
          {done && (
            <p role="status" className="mb-2 text-sm text-emerald-700 dark:text-emerald-400">
              {done}
            </p>
          )}
          <button type="submit" disabled={mutation.isPending || (clusters.length === 0 && form.brokers.length === 0)} title={clusters.length === 0 && form.brokers.length === 0 ? t('common.loading') : undefined} className="rounded bg-orange-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50">
            {mutation.isPending ? t('common.loading') : t('topic.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface TopicDetail {
  topic: string;
  queues: { brokerName: string; queueId: number; minOffset: number; maxOffset: number; lastUpdateTimestamp: number }[];
  route: unknown;
}

function TopicDetailDialog({ topic, view, onClose }: { topic: string; view: 'status' | 'route'; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({ queryKey: queryKeys.topics.detail(topic, view), queryFn: () => fetchJson<TopicDetail>(`/api/topics/${encodeURIComponent(topic)}?view=${view}`) });
  return (
    <Dialog title={`${view === 'status' ? t('topic.status') : t('topic.route')} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      {error && <ErrorNote message={(error as Error).message} />}
      {!data && !error && <p>{t('common.loading')}</p>}
      {data && view === 'route' && <pre className="max-h-[60vh] overflow-auto rounded bg-slate-100 p-3 text-xs dark:bg-slate-800">{JSON.stringify(data.route, null, 2)}</pre>}
      {data && view === 'status' && (
        <Table testId="topic-status" head={[t('cluster.broker'), t('topic.queue'), t('topic.minOffset'), t('topic.maxOffset'), t('topic.lastUpdated')]}>
          {data.queues.map((q) => (
            <tr key={`${q.brokerName}-${q.queueId}`}>
              <td className={td}>{q.brokerName}</td>
              <td className={td}>{q.queueId}</td>
              <td className={`${td} tabular-nums`}>{q.minOffset}</td>
              <td className={`${td} tabular-nums`}>{q.maxOffset}</td>
              <td className={td}>{q.lastUpdateTimestamp ? new Date(q.lastUpdateTimestamp).toLocaleString() : '–'}</td>
            </tr>
          ))}
        </Table>
      )}
    </Dialog>
  );
}

function DeleteTopicDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: () => fetchJson(`/api/topics/${encodeURIComponent(topic)}?confirm=${encodeURIComponent(typed)}`, { method: 'DELETE' }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.topics.all() });
      onClose();
    },
    onError: (err) => setError(err instanceof ApiError ? (Object.values(err.fields)[0] ?? err.message) : (err as Error).message),
  });
  return (
    <Dialog title={`${t('topic.delete')} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      <label className="block text-sm">
        {t('topic.confirmDelete', { topic })}
        <input name="confirm" className={`${input} mt-1`} value={typed} onChange={(e) => setTyped(e.target.value)} />
      </label>
      {error && <FieldError id="confirm-error" message={error} />}
      <button type="button" disabled={typed !== topic || mutation.isPending} onClick={() => mutation.mutate()} className="mt-3 rounded bg-red-600 px-4 py-2 text-sm text-white disabled:opacity-40">
        {t('topic.delete')}
      </button>
    </Dialog>
  );
}

export default function TopicPage() {
  const { t } = useI18n();
  const topics = useQuery({ queryKey: queryKeys.topics.all(), queryFn: () => fetchJson<{ topics: TopicRow[] }>('/api/topics') });
  const cluster = useQuery({ queryKey: queryKeys.cluster.all(), queryFn: () => fetchJson<ClusterOverview>('/api/cluster') });
  const [filter, setFilter] = useState('');
  const [kind, setKind] = useState<'ALL' | TopicKind>('NORMAL');
  const [messageType, setMessageType] = useState<string>('ANY');
  const [dialog, setDialog] = useState<{ type: 'create' | 'status' | 'route' | 'delete' | 'send' | 'reset' | 'skip' | 'config' | 'consumers' | 'history'; topic?: string; initial?: Partial<TopicFormValues> } | null>(null);
  const admin = useIsAdmin();
  const [page, setPage] = useState(1);
  const all = topics.data?.topics ?? [];
  const typesPresent = MESSAGE_TYPES.filter((m) => all.some((r) => r.messageType === m));
  const rows = useMemo(
    () => all.filter((r) => (kind === 'ALL' || r.kind === kind) && (messageType === 'ANY' || r.messageType === messageType) && r.topic.toLowerCase().includes(filter.trim().toLowerCase())),
    [all, kind, messageType, filter],
  );
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const shown = rows.slice((Math.min(page, pages) - 1) * PAGE_SIZE, Math.min(page, pages) * PAGE_SIZE);
  const sparklines = useSparklines('topic', shown.filter((r) => r.kind === 'NORMAL').map((r) => r.topic));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t('topic.title')}</h1>
        <input aria-label={t('topic.filter')} placeholder={t('topic.filter')} value={filter} onChange={(e) => {
            setFilter(e.target.value);
            setPage(1);
          }} className={`${input} max-w-xs`} />
        <div role="radiogroup" className="flex gap-1 text-sm">
          {KINDS.map((k) => (
            <label key={k} className={`cursor-pointer rounded px-2 py-1 ${kind === k ? 'bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900' : 'border border-slate-300 dark:border-slate-700'}`}>
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => {
                  setKind(k);
                  setPage(1);
                }} className="sr-only" />
              {t(`topic.kind.${k}`)}
            </label>
          ))}
        </div>
        {typesPresent.length > 0 && (
          <select aria-label={t('topic.messageType')} value={messageType} onChange={(e) => { setMessageType(e.target.value); setPage(1); }} className={`${input} w-auto`}>
            <option value="ANY">{t('topic.anyType')}</option>
            {typesPresent.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        )}
        <AdminOnly>
          <button type="button" onClick={() => setDialog({ type: 'create' })} className="ml-auto rounded bg-orange-600 px-3 py-1.5 text-sm font-medium text-white">
            {t('topic.add')}
          </button>
        </AdminOnly>
      </div>
      {topics.error && <ErrorNote message={t('common.error', { message: (topics.error as Error).message })} />}
      <div className="flex items-center gap-4">
        <p className="text-xs text-slate-500">{t('topic.count', { shown: rows.length, total: all.length })}</p>
        <Pager page={Math.min(page, pages)} pages={pages} onPage={setPage} label={t('common.pages')} />
      </div>
      <Table testId="topic-list" head={[t('topic.name'), t('topic.kind'), t('topic.messageType'), `${t('history.inTps')} · ${t('history.column')}`, t('topic.operations')]}>
        {topics.isLoading && (
          <tr>
            <td className={td} colSpan={5}>
              {t('common.loading')}
            </td>
          </tr>
        )}
        {shown.map((r) => (
          <tr key={r.topic}>
            <td className={`${td} font-mono`}>{r.topic}</td>
            <td className={td}>{t(`topic.kind.${r.kind}`)}</td>
            <td className={td}>{r.messageType}</td>
            <td className={td}>{r.kind === 'NORMAL' ? <SparklineCell kind="topic" name={r.topic} lines={sparklines.data?.lines} /> : null}</td>
            <td className={td}>
                  <div className="flex flex-wrap gap-1">
              <button type="button" className={button} onClick={() => setDialog({ type: 'status', topic: r.topic })}>
                {t('topic.status')}
              </button>
              <button type="button" className={button} onClick={() => setDialog({ type: 'route', topic: r.topic })}>
                {t('topic.route')}
              </button>
              <button type="button" className={button} onClick={() => setDialog({ type: 'consumers', topic: r.topic })}>
                {t('topic.consumerManage')}
              </button>
              <button type="button" className={button} onClick={() => setDialog({ type: 'config', topic: r.topic })}>
                {t('topic.config')}
              </button>
              {r.kind === 'NORMAL' && (
                <button type="button" className={button} onClick={() => setDialog({ type: 'history', topic: r.topic })}>
                  {t('history.button')}
                </button>
              )}
              {/* Read-only users preview resets (the dialog shows them no Apply). */}
              <button type="button" className={button} onClick={() => setDialog({ type: 'reset', topic: r.topic })}>
                {admin ? t('topic.resetOffset') : t('reset.previewButton')}
              </button>
              <button type="button" className={button} onClick={() => setDialog({ type: 'skip', topic: r.topic })}>
                {admin ? t('topic.skipAccumulate') : t('reset.previewSkipButton')}
              </button>
              <AdminOnly>
                {r.kind !== 'SYSTEM' && (
                  <button type="button" className={button} onClick={() => setDialog({ type: 'send', topic: r.topic })}>
                    {t('topic.sendMessage')}
                  </button>
                )}
                {r.kind !== 'SYSTEM' && (
                  <button type="button" className={dangerButton} onClick={() => setDialog({ type: 'delete', topic: r.topic })}>
                    {t('topic.delete')}
                  </button>
                )}
              </AdminOnly>
            </div>
                </td>
          </tr>
        ))}
        {topics.data && rows.length === 0 && (
          <tr>
            <td className={td} colSpan={5}>
              {t('common.none')}
            </td>
          </tr>
        )}
      </Table>
      {dialog?.type === 'create' && <CreateTopicDialog clusters={cluster.data?.clusters ?? []} brokers={brokerChoices(cluster.data?.brokers)} initial={dialog.initial} onClose={() => setDialog(null)} />}
      {dialog?.type === 'send' && dialog.topic && <SendMessageDialog topic={dialog.topic} onClose={() => setDialog(null)} />}
      {(dialog?.type === 'reset' || dialog?.type === 'skip') && dialog.topic && <ResetOffsetDialog topic={dialog.topic} mode={dialog.type} onClose={() => setDialog(null)} />}
      {dialog?.type === 'consumers' && dialog.topic && <ConsumerManageDialog topic={dialog.topic} onClose={() => setDialog(null)} />}
      {dialog?.type === 'history' && dialog.topic && <TopicHistoryDialog topic={dialog.topic} onClose={() => setDialog(null)} />}
      {dialog?.type === 'config' && dialog.topic && (
        <TopicConfigDialog
          topic={dialog.topic}
          onClose={() => setDialog(null)}
          onEdit={(config, brokers) =>
            setDialog({
              type: 'create',
              initial: {
                topic: config.topicName, brokers, clusters: [], readQueueNums: String(config.readQueueNums), writeQueueNums: String(config.writeQueueNums), perm: String(config.perm),
                messageType: topicMessageType(config),
              },
            })
          }
        />
      )}
      {(dialog?.type === 'status' || dialog?.type === 'route') && dialog.topic && <TopicDetailDialog topic={dialog.topic} view={dialog.type} onClose={() => setDialog(null)} />}
      {dialog?.type === 'delete' && dialog.topic && <DeleteTopicDialog topic={dialog.topic} onClose={() => setDialog(null)} />}
    </div>
  );
}
