import { sql } from 'kysely';
import { formatNumber } from '../reports/vietnamese.ts';
import { openingStartedAt } from './alert-settings.ts';
import type { AlertRuleDefinition, Verdict } from './alert-rule.ts';

/**
 * Silent kiosk: a paired tablet of an active desk has neither sent a rating nor reported
 * its status for the unit's number of minutes (30 unless set) while the unit is open —
 * counted from the opening, so that a tablet switched on at 7:35 is not silent at 7:31.
 * It clears when the tablet reports again; outside opening hours it stays as it is.
 *
 * A tablet reports how many ratings wait on it, unsent (kiosk/kiosk.routes.ts): a queue
 * at or past the unit's limit (20 unless set) means ratings have been piling up without
 * getting through, and raises its own alert, clearing once the queue is below the limit.
 */
export const silentKiosk: AlertRuleDefinition = {
  rule: 'silent_kiosk',
  async sweep(context, open) {
    const devices = await sql<{
      id: number;
      label: string;
      desk_id: number;
      desk_name: string;
      unit_id: number;
      last_seen: Date;
      queue_length: number | null;
    }>`
      select d.id, d.label, d.desk_id, desk.name as desk_name, desk.unit_id,
        greatest(d.paired_at, d.last_status_at, d.last_rating_at) as last_seen, d.queue_length
      from kiosk_device d join desk on desk.id = d.desk_id
      where d.purpose = 'kiosk' and d.revoked_at is null and desk.active
    `.execute(context.db);
    const settings = await context.settingsOf(devices.rows.map((device) => device.unit_id));
    const verdicts: Verdict[] = [];
    for (const device of devices.rows) {
      const setting = settings.get(device.unit_id)!;
      const name = `${device.label || `#${device.id}`} (${device.desk_name})`;
      const silentKey = `silent_kiosk:device:${device.id}`;
      const queueKey = `silent_kiosk:queue:${device.id}`;
      if (!setting.silent_kiosk) {
        verdicts.push({ conditionKey: silentKey, state: 'clear' }, { conditionKey: queueKey, state: 'clear' });
        continue;
      }
      const limit = setting.silent_minutes * 60_000;
      const silentFor = context.now.getTime() - device.last_seen.getTime();
      const opened = openingStartedAt(setting, context.now);
      if (silentFor < limit) verdicts.push({ conditionKey: silentKey, state: 'clear' });
      else if (opened === null || context.now.getTime() - opened.getTime() < limit)
        verdicts.push({ conditionKey: silentKey, state: 'hold' });
      else {
        const minutes = Math.floor(silentFor / 60_000);
        verdicts.push({
          conditionKey: silentKey,
          state: 'firing',
          finding: {
            rule: 'silent_kiosk',
            conditionKey: silentKey,
            unitId: device.unit_id,
            deskId: device.desk_id,
            deviceId: device.id,
            explanation: {
              vi: `Máy tính bảng ${name} không gửi tín hiệu đã ${formatNumber(minutes)} phút trong giờ làm việc: có thể máy tắt, mất mạng hoặc hết pin.`,
              en: `Tablet ${name} has not been heard from for ${minutes} minutes during opening hours: it may be off, offline or out of battery.`,
            },
            link: `/desks/${device.desk_id}`,
            evidence: { lastSeen: device.last_seen.toISOString(), minutes },
          },
        });
      }
      const queue = device.queue_length ?? 0;
      if (queue < setting.queue_limit) verdicts.push({ conditionKey: queueKey, state: 'clear' });
      else
        verdicts.push({
          conditionKey: queueKey,
          state: 'firing',
          finding: {
            rule: 'silent_kiosk',
            conditionKey: queueKey,
            unitId: device.unit_id,
            deskId: device.desk_id,
            deviceId: device.id,
            explanation: {
              vi: `Máy tính bảng ${name} đang giữ ${formatNumber(queue)} lượt đánh giá chưa gửi được: kiểm tra kết nối mạng của máy.`,
              en: `Tablet ${name} holds ${queue} ratings it could not send: check its network connection.`,
            },
            link: `/desks/${device.desk_id}`,
            evidence: { queueLength: queue },
          },
        });
    }
    // A tablet unpaired, or a desk stopped, while its alert was open: nothing to watch any more.
    const named = new Set(verdicts.map((verdict) => verdict.conditionKey));
    for (const alert of open)
      if (!named.has(alert.condition_key)) verdicts.push({ conditionKey: alert.condition_key, state: 'clear' });
    return verdicts;
  },
};
