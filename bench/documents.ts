import type { Db } from '../server/db/database.ts';
import { exportDocument, exportWorkbook } from '../server/reports/export.ts';
import { parsePeriod } from '../server/reports/periods.ts';
import type { NationalUnits } from './national-data.ts';
import { time, type Timing } from './reports.ts';

export interface DocumentTimings {
  provinceDocument: Timing;
  countryDocument: Timing;
  countryExport: Timing;
}

/**
 * The periodic report document (DOCX) of a province and of the country root (34 provinces,
 * ~3,300 communes, every desk), built as the background export builds it, next to the
 * country's XLSX export, for last year (full).
 */
export async function timeDocuments(db: Db, units: NationalUnits): Promise<DocumentTimings> {
  const period = parsePeriod(String(new Date().getFullYear() - 1))!;
  const province = units.provinces[5]!;
  return {
    provinceDocument: await time(() => exportDocument(db, province.id, period), 5),
    countryDocument: await time(() => exportDocument(db, units.countryId, period), 3),
    countryExport: await time(() => exportWorkbook(db, units.countryId, period), 3),
  };
}
