/** GET /api/openapi.json: the OpenAPI 3.1 document of every console route. */
import { ok } from '@/lib/server/api';
import { buildOpenApiDocument } from '@/lib/server/openapi/document';

export const dynamic = 'force-dynamic';

export async function GET() {
  return ok(buildOpenApiDocument('/'));
}
