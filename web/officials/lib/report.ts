import type { InferResponseType } from 'hono/client';
import { api, unwrap } from './api.ts';

export type Summary = InferResponseType<typeof api.reports.summary.$get, 200>;
export type Figure = Summary['overall'];
export type TargetResult = Summary['targets'][number];
export type Status = TargetResult['result']['status'];
export type Comparisons = TargetResult['compared'];
export type Row = InferResponseType<typeof api.reports.breakdown.$get, 200>[number];
export type Trend = InferResponseType<typeof api.reports.trend.$get, 200>;
export type Ranking = InferResponseType<typeof api.reports.ranking.$get, 200>;
export type Reasons = InferResponseType<typeof api.reports.reasons.$get, 200>;
/** The periodic report document, as the DOCX lays it out. */
export type ReportDocumentModel = InferResponseType<typeof api.reports.document.$get, 200>;

export interface Report {
  summary: Summary;
  domains: Row[];
  subunits: Row[];
  desks: Row[];
  elements: Row[];
  criteria: Row[];
  channels: Row[];
  trend: Trend;
  ranking: Ranking;
  reasons: Reasons;
}

/** Everything the dashboard and the printed report show, loaded at once. */
export async function loadReport(unitId: number, period: string): Promise<Report> {
  const query = { unitId: String(unitId), period };
  const split = (by: 'domain' | 'subunit' | 'desk' | 'element' | 'criterion' | 'channel') =>
    unwrap(api.reports.breakdown.$get({ query: { ...query, by } }));
  const [summary, domains, subunits, desks, elements, criteria, channels, trend, ranking, reasons] = await Promise.all([
    unwrap(api.reports.summary.$get({ query })),
    split('domain'),
    split('subunit'),
    split('desk'),
    split('element'),
    split('criterion'),
    split('channel'),
    unwrap(api.reports.trend.$get({ query })),
    unwrap(api.reports.ranking.$get({ query })),
    unwrap(api.reports.reasons.$get({ query })),
  ]);
  return { summary, domains, subunits, desks, elements, criteria, channels, trend, ranking, reasons };
}
