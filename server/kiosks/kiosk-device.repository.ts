import { createHash, randomBytes } from 'node:crypto';
import type { Db, Trx } from '../db/database.ts';
import type { KioskDevice } from './kiosk-device.table.ts';

export const KIOSK_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashKioskKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Pairs a new tablet (or receipt software) with a desk; the returned key is shown once and never stored. */
export async function pairKioskDevice(
  db: Db | Trx,
  input: { deskId: number; label?: string; purpose?: 'kiosk' | 'receipts' },
): Promise<{ key: string; device: KioskDevice }> {
  const key = randomBytes(32).toString('base64url');
  const device = await db
    .insertInto('kiosk_device')
    .values({
      desk_id: input.deskId,
      key_hash: hashKioskKey(key),
      label: input.label ?? '',
      purpose: input.purpose ?? 'kiosk',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, device };
}

export function findKioskDevice(db: Db | Trx, key: string): Promise<KioskDevice | undefined> {
  return db.selectFrom('kiosk_device').selectAll().where('key_hash', '=', hashKioskKey(key)).executeTakeFirst();
}

/** The link that pairs a tablet: the key rides in the fragment, which browsers never send. */
export function kioskPairingUrl(publicBaseUrl: string, deskCode: string, key: string): string {
  return `${publicBaseUrl}/kiosk/${deskCode}#key=${key}`;
}
