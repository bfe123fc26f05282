import type { Generated, Selectable } from 'kysely';

export interface DomainTable {
  id: Generated<number>;
  code: string;
  name_vi: string;
  name_en: string;
  position: Generated<number>;
  active: Generated<boolean>;
}

export type Domain = Selectable<DomainTable>;
