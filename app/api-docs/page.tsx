'use client';
/** API: the OpenAPI document of every console route, rendered (tokens for scripts are made on the Access page). */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { OpenApiView, type OpenApiDocument } from '@/components/security/openapi-view';
import { AdminOnly } from '@/components/security/session';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';

export default function ApiDocsPage() {
  const { t } = useI18n();
  const doc = useQuery({ queryKey: queryKeys.openapi(), queryFn: () => fetchJson<OpenApiDocument>('/api/openapi.json'), staleTime: Infinity });
  return (
    <div className="space-y-4">
      <AdminOnly>
        <p className="text-sm">
          <Link href="/access" className="text-sky-700 underline dark:text-sky-400">
            {t('api.manageTokens')}
          </Link>
        </p>
      </AdminOnly>
      {doc.error && <ErrorNote message={(doc.error as Error).message} />}
      {!doc.data && !doc.error && <p>{t('common.loading')}</p>}
      {doc.data && <OpenApiView doc={doc.data} origin={typeof window === 'undefined' ? '' : window.location.origin} />}
    </div>
  );
}
