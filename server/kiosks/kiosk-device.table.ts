import type { Generated, Selectable } from 'kysely';

export interface KioskDeviceTable {
  id: Generated<number>;
  desk_id: number;
  /** `kiosk`: a tablet taking ratings; `receipts`: receipt software issuing dossier codes. */
  purpose: Generated<'kiosk' | 'receipts'>;
  /** SHA-256 of the device key; the key itself is shown once, at pairing. */
  key_hash: Buffer;
  label: Generated<string>;
  paired_at: Generated<Date>;
  revoked_at: Date | null;
  last_rating_at: Date | null;
  last_status_at: Date | null;
  /** Ratings waiting on the device when it last reported. */
  queue_length: number | null;
}

export type KioskDevice = Selectable<KioskDeviceTable>;

/** A rating the server refused for good, as the tablet that holds it reported it. */
export interface KioskRefusalTable {
  device_id: number;
  idempotency_key: string;
  /** The error code the server answered. */
  code: string;
  rated_at: Date | null;
  reported_at: Generated<Date>;
}
