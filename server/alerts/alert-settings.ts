import type { Db } from '../db/database.ts';
import { VIETNAM_OFFSET_MS } from '../time/vietnam-time.ts';
import type { AlertSetting } from './alert.table.ts';

/** The rules of a unit that has not changed them (the table's column defaults). */
export const DEFAULT_ALERT_SETTING: Omit<AlertSetting, 'unit_id'> = {
  below_target: true,
  below_target_min_ratings: 30,
  unhappy_spike: true,
  spike_window_hours: 24,
  spike_min_ratings: 10,
  serious_comment: true,
  silent_kiosk: true,
  overdue_follow_up: true,
  silent_minutes: 30,
  queue_limit: 20,
  opens_at: '07:30',
  closes_at: '17:00',
  open_saturday: false,
};

/** Each unit's alert rules, its own or the defaults. One statement for any number of units. */
export async function alertSettingsOf(db: Db, unitIds: Iterable<number>): Promise<Map<number, AlertSetting>> {
  const ids = [...new Set(unitIds)];
  const settings = new Map<number, AlertSetting>(ids.map((id) => [id, { unit_id: id, ...DEFAULT_ALERT_SETTING }]));
  if (ids.length === 0) return settings;
  const rows = await db
    .selectFrom('alert_setting')
    .select([
      'unit_id',
      'below_target',
      'below_target_min_ratings',
      'unhappy_spike',
      'spike_window_hours',
      'spike_min_ratings',
      'serious_comment',
      'silent_kiosk',
      'overdue_follow_up',
      'silent_minutes',
      'queue_limit',
      'opens_at',
      'closes_at',
      'open_saturday',
    ])
    .where('unit_id', 'in', ids)
    .execute();
  for (const row of rows)
    settings.set(row.unit_id, { ...row, opens_at: row.opens_at.slice(0, 5), closes_at: row.closes_at.slice(0, 5) });
  return settings;
}

export async function saveAlertSetting(db: Db, setting: AlertSetting, officialId: number): Promise<void> {
  await db
    .insertInto('alert_setting')
    .values({ ...setting, updated_by: officialId })
    .onConflict((oc) =>
      oc.column('unit_id').doUpdateSet((eb) => ({
        below_target: eb.ref('excluded.below_target'),
        below_target_min_ratings: eb.ref('excluded.below_target_min_ratings'),
        unhappy_spike: eb.ref('excluded.unhappy_spike'),
        spike_window_hours: eb.ref('excluded.spike_window_hours'),
        spike_min_ratings: eb.ref('excluded.spike_min_ratings'),
        serious_comment: eb.ref('excluded.serious_comment'),
        silent_kiosk: eb.ref('excluded.silent_kiosk'),
        overdue_follow_up: eb.ref('excluded.overdue_follow_up'),
        silent_minutes: eb.ref('excluded.silent_minutes'),
        queue_limit: eb.ref('excluded.queue_limit'),
        opens_at: eb.ref('excluded.opens_at'),
        closes_at: eb.ref('excluded.closes_at'),
        open_saturday: eb.ref('excluded.open_saturday'),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: new Date(),
      })),
    )
    .execute();
}

/**
 * Whether the unit's desks are open at an instant: Monday to Friday (and Saturday when
 * the unit opens then) between its opening and closing times, Vietnam time. Returns the
 * instant today's opening began, or null when closed.
 */
export function openingStartedAt(setting: Pick<AlertSetting, 'opens_at' | 'closes_at' | 'open_saturday'>, at: Date) {
  const local = new Date(at.getTime() + VIETNAM_OFFSET_MS);
  const weekday = local.getUTCDay(); // 0 Sunday … 6 Saturday
  if (weekday === 0 || (weekday === 6 && !setting.open_saturday)) return null;
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
  const [opens, closes] = [minutesOf(setting.opens_at), minutesOf(setting.closes_at)];
  if (minutes < opens || minutes >= closes) return null;
  return new Date(
    at.getTime() - (minutes - opens) * 60_000 - local.getUTCSeconds() * 1000 - local.getUTCMilliseconds(),
  );
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}
