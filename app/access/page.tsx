'use client';
/** Access: console users and API tokens (admin only; others are told so by the API's 403). */
import { TokenPanel } from '@/components/security/token-panel';
import { UserPanel } from '@/components/security/user-panel';
import { useSession } from '@/components/security/session';
import { useI18n } from '@/lib/i18n';

export default function AccessPage() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">{t('access.title')}</h1>
      {session.data && !session.data.authRequired && <p className="text-sm text-slate-500">{t('access.authOffNote')}</p>}
      <TokenPanel />
      <UserPanel />
    </div>
  );
}
