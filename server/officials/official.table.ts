import type { Generated, Selectable } from 'kysely';

/**
 * `admin`: the whole platform. `manager`: the units under its unit — desks, QR codes,
 * targets, viewers. `viewer`: reads the reports of its subtree.
 */
export type Role = 'admin' | 'manager' | 'viewer';

export interface OfficialTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  /** argon2id. */
  password_hash: string;
  role: Role;
  unit_id: number;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  password_changed_at: Generated<Date>;
}

export interface OfficialSessionTable {
  id: string;
  /** SHA-256 of the session secret. */
  secret_hash: Buffer;
  official_id: number;
  created_at: Generated<Date>;
  expires_at: Date;
  refreshed_at: Generated<Date>;
}

export type Official = Selectable<OfficialTable>;
