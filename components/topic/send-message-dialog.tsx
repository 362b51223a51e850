'use client';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { errorsOf, Field, inputClass, primaryButton, smallButton, useValidation } from '@/components/ui/form';
import { ErrorNote, KeyValueTable } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { sendMessageSchema } from '@/lib/validation';

interface SendResult {
  sendStatus: string;
  msgId: string;
  offsetMsgId: string;
  messageQueue: { topic: string; brokerName: string; queueId: number };
  queueOffset: number;
  regionId: string;
}

/** SEND MESSAGE: tag, keys, body and user properties; shows RocketMQ's SendResult. */
export function SendMessageDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ tags: '', keys: '', body: '', delayLevel: '0' });
  const [properties, setProperties] = useState<{ key: string; value: string }[]>([]);
  const { errors, setErrors, validate } = useValidation(sendMessageSchema);
  const mutation = useMutation({
    mutationFn: (body: unknown) => fetchJson<SendResult>(`/api/topics/${encodeURIComponent(topic)}/send`, { method: 'POST', body: JSON.stringify(body) }),
    onError: (err) => setErrors(errorsOf(err)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { ...form, properties };
    if (validate(body)) mutation.mutate(body);
  };
  const result = mutation.data;
  return (
    <Dialog title={`${t('topic.sendMessage')} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      <form onSubmit={submit} noValidate className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Field name="tags" label={t('message.tag')} error={errors.tags}>
          <input name="tags" className={inputClass} value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} aria-invalid={!!errors.tags} />
        </Field>
        <Field name="keys" label={t('message.keysHint')} error={errors.keys}>
          <input name="keys" className={inputClass} value={form.keys} onChange={(e) => setForm({ ...form, keys: e.target.value })} aria-invalid={!!errors.keys} />
        </Field>
        <Field name="body" label={t('message.body')} error={errors.body} className="md:col-span-2">
          <textarea name="body" rows={6} className={`${inputClass} font-mono`} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} aria-invalid={!!errors.body} />
        </Field>
        <Field name="delayLevel" label={t('message.delayLevel')} error={errors.delayLevel}>
          <select name="delayLevel" className={inputClass} value={form.delayLevel} onChange={(e) => setForm({ ...form, delayLevel: e.target.value })}>
            {['0', ...Array.from({ length: 18 }, (_, i) => String(i + 1))].map((l, i) => (
              <option key={l} value={l}>
                {i === 0 ? t('message.noDelay') : `${l} (${DELAYS[i - 1]})`}
              </option>
            ))}
          </select>
        </Field>
        <div className="md:col-span-2">
          <p className="mb-1 text-sm text-slate-600 dark:text-slate-300">{t('message.userProperties')}</p>
          {properties.map((p, i) => (
            <div key={i} className="mb-1 flex gap-2">
              <div className="flex-1">
                <input aria-label={`${t('message.propertyName')} ${i + 1}`} className={inputClass} value={p.key} onChange={(e) => setProperties(properties.map((q, j) => (j === i ? { ...q, key: e.target.value } : q)))} />
                {errors[`properties.${i}.key`] && <p role="alert" className="mt-1 text-xs text-red-600">{errors[`properties.${i}.key`]}</p>}
              </div>
              <div className="flex-1">
                <input aria-label={`${t('message.propertyValue')} ${i + 1}`} className={inputClass} value={p.value} onChange={(e) => setProperties(properties.map((q, j) => (j === i ? { ...q, value: e.target.value } : q)))} />
                {errors[`properties.${i}.value`] && <p role="alert" className="mt-1 text-xs text-red-600">{errors[`properties.${i}.value`]}</p>}
              </div>
              <button type="button" className={smallButton} onClick={() => setProperties(properties.filter((_, j) => j !== i))}>
                {t('common.remove')}
              </button>
            </div>
          ))}
          <button type="button" className={smallButton} onClick={() => setProperties([...properties, { key: '', value: '' }])}>
            {t('message.addProperty')}
          </button>
        </div>
        <div className="md:col-span-2">
          {errors._ && <ErrorNote message={errors._} />}
          <button type="submit" disabled={mutation.isPending} className={`${primaryButton} mt-2`}>
            {mutation.isPending ? t('common.loading') : t('message.send')}
          </button>
        </div>
      </form>
      {result && (
        <section aria-label={t('message.sendResult')} className="mt-4">
          <h3 className="mb-2 font-medium">{t('message.sendResult')}</h3>
          <KeyValueTable
            table={{
              sendStatus: result.sendStatus,
              msgId: result.msgId,
              offsetMsgId: result.offsetMsgId,
              brokerName: result.messageQueue.brokerName,
              queueId: String(result.messageQueue.queueId),
              queueOffset: String(result.queueOffset),
              regionId: result.regionId,
            }}
          />
        </section>
      )}
    </Dialog>
  );
}

const DELAYS = ['1s', '5s', '10s', '30s', '1m', '2m', '3m', '4m', '5m', '6m', '7m', '8m', '9m', '10m', '20m', '30m', '1h', '2h'];
