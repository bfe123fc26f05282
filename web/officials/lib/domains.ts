import type { InferResponseType } from 'hono/client';
import { api, unwrap } from './api.ts';

export type DomainRow = InferResponseType<typeof api.domains.$get, 200>[number];

let cached: Promise<DomainRow[]> | undefined;

/** The coded domain list, loaded once per page view (it changes rarely). */
export function loadDomains(refresh = false): Promise<DomainRow[]> {
  if (refresh || !cached)
    cached = unwrap(api.domains.$get()).catch((error: unknown) => ((cached = undefined), Promise.reject(error)));
  return cached;
}
