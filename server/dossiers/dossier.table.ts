import type { Generated, Selectable } from 'kysely';

export interface DossierTokenTable {
  id: Generated<number>;
  /** SHA-256 of the printed code; the code itself is never stored. */
  token_hash: Buffer;
  desk_id: number;
  domain_id: number;
  issued_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}

export type DossierToken = Selectable<DossierTokenTable>;
