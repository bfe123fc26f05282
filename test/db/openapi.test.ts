import { describe, expect, it } from 'vitest';
import { publicApiRoutes } from '../../server/app.ts';
import { createTestDatabase } from '../database.ts';
import { startTestServer } from '../server.ts';

const { db } = await createTestDatabase();

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

describe('GET /api/openapi.json', () => {
  it('documents every public route, with schemas generated from the validators', async () => {
    const api = await startTestServer(db);
    const response = await api.get('/api/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApi;
    expect(document.openapi).toBe('3.1.0');

    // Every route registered on the public API appears in the document.
    for (const route of publicApiRoutes.routes) {
      const path = `/api/v1/public${route.path.replace(/:(\w+)/g, '{$1}')}`;
      expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
    }

    const submission = document.components.schemas.Submission!;
    expect(Object.keys(submission.properties ?? {}).sort()).toEqual(
      [
        'answers',
        'channel',
        'clientTime',
        'comment',
        'deskCode',
        'domain',
        'dossierToken',
        'followUpCode',
        'idempotencyKey',
        'language',
        'questionnaireId',
        'reasons',
      ].sort(),
    );
    expect(submission.required?.sort()).toEqual([
      'answers',
      'channel',
      'idempotencyKey',
      'language',
      'questionnaireId',
    ]);
    expect(JSON.stringify(submission.properties?.channel)).toContain('dossier');
    expect(Object.keys(document.paths['/api/v1/public/responses']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '404', '409', '413', '415', '422', '429']),
    );
  });
});
