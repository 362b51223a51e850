'use client';
/**
 * A message's properties: the application's own first, then the ones RocketMQ's clients and brokers set
 * (MessageConst names), each explained, with its value read where it has a meaning beyond its text (a delay
 * level as a duration, a time in ms as a date).
 */
import { Table, td } from '@/components/ui/table';
import { formatAge, formatTime } from '@/lib/fetch-json';
import { SYSTEM_PROPERTY_KEYS } from '@/lib/explorer/system-properties';
import { useI18n, type MessageKey } from '@/lib/i18n';

const SYSTEM = new Set<string>(SYSTEM_PROPERTY_KEYS);

/** RocketMQ's default messageDelayLevel. */
const DELAY_LEVELS = ['1s', '5s', '10s', '30s', '1m', '2m', '3m', '4m', '5m', '6m', '7m', '8m', '9m', '10m', '20m', '30m', '1h', '2h'];
const TIME_PROPERTIES = new Set(['CONSUME_START_TIME', '__STARTDELIVERTIME', 'TIMER_DELIVER_MS', 'ARRIVE_TIME', 'PUSH_REPLY_TIME']);

/** What a value means, when its text alone does not say (empty when it does). */
function reading(name: string, value: string, t: (key: MessageKey, vars?: Record<string, string | number>) => string): string {
  const n = Number(value);
  if (name === 'DELAY' && Number.isInteger(n) && n > 0) return t('explorer.prop.delayLevel', { level: n, delay: DELAY_LEVELS[Math.min(n, DELAY_LEVELS.length) - 1]! });
  if (TIME_PROPERTIES.has(name) && Number.isFinite(n) && n > 1e11) return formatTime(n);
  if ((name === 'TTL' || name === 'TIMER_DELAY_MS') && Number.isFinite(n)) return formatAge(n);
  if ((name === 'TIMER_DELAY_SEC' || name === 'CHECK_IMMUNITY_TIME_IN_SECONDS') && Number.isFinite(n)) return formatAge(n * 1000);
  const keys = name === 'KEYS' ? value.split(' ').filter(Boolean).length : 0;
  if (keys > 1) return t('explorer.prop.keyCount', { count: keys });
  if (name === 'TRAN_MSG' && value === 'true') return t('explorer.prop.halfMessage');
  return '';
}

export function PropertiesTable({ properties }: { properties: Record<string, string> }) {
  const { t } = useI18n();
  const names = Object.keys(properties).sort((a, b) => Number(SYSTEM.has(a)) - Number(SYSTEM.has(b)) || a.localeCompare(b));
  const readings = Object.fromEntries(names.map((name) => [name, reading(name, properties[name]!, t)]));
  const anyReading = names.some((name) => readings[name]);
  return (
    <section aria-label={t('message.properties')}>
      <h3 className="mb-1 font-medium">{t('message.properties')}</h3>
      <Table testId="message-properties" head={[t('message.propertyName'), t('message.propertyValue'), ...(anyReading ? [t('explorer.prop.reading')] : []), t('message.meaning')]}>
        {names.map((name) => {
          const value = properties[name]!;
          const system = SYSTEM.has(name);
          return (
            <tr key={name}>
              <td className={`${td} font-mono`}>
                {name}
                {system && <span className="ml-1 rounded bg-slate-200 px-1 text-[10px] uppercase text-slate-600 dark:bg-slate-700 dark:text-slate-300">{t('explorer.prop.system')}</span>}
              </td>
              <td className={`${td} min-w-48 max-w-md whitespace-pre-wrap break-all font-mono`}>{value}</td>
              {anyReading && <td className={`${td} text-xs`}>{readings[name]}</td>}
              <td className={`${td} whitespace-normal text-xs text-slate-500`}>{system ? t(`explorer.prop.${name}` as MessageKey) : t('message.userProperty')}</td>
            </tr>
          );
        })}
      </Table>
    </section>
  );
}
