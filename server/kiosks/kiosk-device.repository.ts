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

export type DevicePurpose = KioskDevice['purpose'];

/**
 * The unrevoked device that holds this key, when it was paired for this purpose: a key is
 * good only for what it was issued for (a receipt printer's key rates nothing).
 */
export function findPairedDevice(db: Db | Trx, key: string, purpose: DevicePurpose): Promise<KioskDevice | undefined> {
  return db
    .selectFrom('kiosk_device')
    .selectAll()
    .where('key_hash', '=', hashKioskKey(key))
    .where('purpose', '=', purpose)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** The link that pairs a tablet: the key rides in the fragment, which browsers never send. */
export function kioskPairingUrl(publicBaseUrl: string, deskCode: string, key: string): string {
  return `${publicBaseUrl}/kiosk/${deskCode}#key=${key}`;
}

/** The devices paired with a desk, newest first, with how many ratings each had refused. */
export function listDevices(db: Db, deskId: number) {
  return db
    .selectFrom('kiosk_device')
    .select(['id', 'label', 'purpose', 'paired_at', 'revoked_at', 'last_rating_at', 'last_status_at', 'queue_length'])
    .where('desk_id', '=', deskId)
    .orderBy('paired_at', 'desc')
    .execute();
}

/** Ratings the server refused for good, as the desk's tablets reported them, newest first. */
export function listRefusals(db: Db, deskId: number, limit = 200) {
  return db
    .selectFrom('kiosk_refusal')
    .innerJoin('kiosk_device', 'kiosk_device.id', 'kiosk_refusal.device_id')
    .select([
      'kiosk_refusal.device_id',
      'kiosk_device.label',
      'kiosk_refusal.code',
      'kiosk_refusal.rated_at',
      'kiosk_refusal.reported_at',
    ])
    .where('kiosk_device.desk_id', '=', deskId)
    .orderBy('kiosk_refusal.reported_at', 'desc')
    .limit(limit)
    .execute();
}

export interface RefusedRating {
  idempotencyKey: string;
  code: string;
  ratedAt: string | null;
}

/**
 * Records what a tablet reports: how many ratings wait in its queue, and the ratings the
 * server refused for good (each kept once, whatever how often it is reported).
 */
export async function recordDeviceStatus(
  db: Db,
  deviceId: number,
  status: { queueLength: number; refused: RefusedRating[] },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('kiosk_device')
      .set({ last_status_at: new Date(), queue_length: status.queueLength })
      .where('id', '=', deviceId)
      .execute();
    if (status.refused.length > 0) {
      await trx
        .insertInto('kiosk_refusal')
        .values(
          status.refused.map((refused) => ({
            device_id: deviceId,
            idempotency_key: refused.idempotencyKey,
            code: refused.code,
            rated_at: refused.ratedAt === null ? null : new Date(refused.ratedAt),
          })),
        )
        .onConflict((oc) => oc.columns(['device_id', 'idempotency_key']).doNothing())
        .execute();
    }
  });
}
