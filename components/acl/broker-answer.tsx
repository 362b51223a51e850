'use client';
/**
 * What a broker said to this console: its version; or, when it answered with an error (an ACL refusal:
 * NO_PERMISSION 16), the response code and remark; or "not answering" when it did not answer at all.
 */
import type { BrokerOverview } from '@/lib/cluster-types';
import { useI18n } from '@/lib/i18n';

export function BrokerAnswer({ broker }: { broker: BrokerOverview }) {
  const { t } = useI18n();
  if (broker.alive) return <>{broker.version}</>;
  if (broker.refused) {
    return (
      <span className="block max-w-32 whitespace-normal text-xs" title={broker.error}>
        <span className="text-red-600">{t('acl.brokerRefused', { name: broker.refused.responseCodeName, code: broker.refused.responseCode })}</span>
        <span className="block text-slate-500">{broker.refused.remark}</span>
      </span>
    );
  }
  return <span className="text-red-600" title={broker.error}>{t('cluster.down')}</span>;
}
