import type { Generated } from 'kysely';

export interface DossierVolumeTable {
  unit_id: number;
  /** First day of the month, `YYYY-MM-01`. */
  month: string;
  /** Dossiers the unit (with its sub-units) handled that month. */
  dossiers: number;
  updated_at: Generated<Date>;
}

export interface ReportExportTable {
  id: Generated<string>;
  official_id: number;
  unit_id: number;
  period: string;
  format: 'xlsx' | 'csv' | 'docx';
  status: Generated<'running' | 'done' | 'failed'>;
  progress: Generated<number>;
  filename: string | null;
  content_type: string | null;
  file: Buffer | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}
