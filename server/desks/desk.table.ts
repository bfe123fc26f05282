import type { Generated, Insertable, Selectable } from 'kysely';

export interface DeskTable {
  id: Generated<number>;
  unit_id: number;
  /** Stable public code printed in the desk's QR code. */
  code: string;
  name: string;
  /** Questionnaire family shown on the desk's QR survey (`quick` or `full`). */
  questionnaire_code: Generated<string>;
  kiosk_idle_seconds: Generated<number>;
  active: Generated<boolean>;
  /** When the desk stopped taking ratings; null while it takes them. */
  inactive_since: Date | null;
  created_at: Generated<Date>;
}

export interface DeskDomainTable {
  desk_id: number;
  domain_id: number;
}

export type Desk = Selectable<DeskTable>;
export type NewDesk = Insertable<DeskTable>;
