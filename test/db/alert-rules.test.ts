import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateNewRatings, sweepAlerts } from '../../server/alerts/alert-engine.ts';
import { DEFAULT_ALERT_SETTING } from '../../server/alerts/alert-settings.ts';
import type { AlertRule } from '../../server/alerts/alert.table.ts';
import type { Desk } from '../../server/desks/desk.table.ts';
import { pairKioskDevice } from '../../server/kiosks/kiosk-device.repository.ts';
import { foldAll } from '../../server/rollups/fold.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit, writeRatings } from '../factories.ts';

const { db } = await createTestDatabase();

/** A Wednesday morning in June, Vietnam time: the clock every rule is judged by. */
const NOW = new Date('2026-06-10T10:00:00+07:00');
const hoursBefore = (hours: number, from = NOW) => new Date(from.getTime() - hours * 3_600_000).toISOString();

/** Open alerts of a rule, about one desk's ratings when it is given. */
async function openAlerts(rule: AlertRule, desk?: Desk) {
  return db
    .selectFrom('alert')
    .select([
      'condition_key',
      'unit_id',
      'desk_id',
      'domain_id',
      'explanation_vi',
      'explanation_en',
      'link',
      'fired_at',
    ])
    .where('rule', '=', rule)
    .where('cleared_at', 'is', null)
    .$if(desk !== undefined, (query) => query.where('desk_id', '=', desk!.id))
    .orderBy('condition_key')
    .execute();
}

async function alertsOf(key: string) {
  return db
    .selectFrom('alert')
    .select(['fired_at', 'cleared_at'])
    .where('condition_key', '=', key)
    .orderBy('id')
    .execute();
}

async function heldTo(unit: Unit, threshold: number) {
  await db
    .insertInto('target')
    .values({
      unit_id: unit.id,
      year: 2026,
      metric: 'tthc',
      domain_id: null,
      threshold,
      plan_number: null,
      plan_date: null,
      plan_sentence: null,
    })
    .execute();
}

/** `satisfied` ratings of 5 and the rest of 1, over `total`. */
const scores = (satisfied: number, total: number) =>
  Array.from({ length: total }, (_, index) => (index < satisfied ? 5 : 1));

describe('below target, for sure', () => {
  let unit: Unit;
  let failing: Desk;
  let small: Desk;
  let straddling: Desk;

  beforeAll(async () => {
    unit = await makeUnit(db, { name: 'Xã Mục Tiêu' });
    await heldTo(unit, 90);
    ({ desk: failing } = await makeDesk(db, { unit }));
    ({ desk: small } = await makeDesk(db, { unit }));
    ({ desk: straddling } = await makeDesk(db, { unit }));
    await evaluateNewRatings(db, NOW);
  });

  it('fires for a desk, its unit and domain when the upper bound of the interval is below the target over the year and 30 days', async () => {
    await writeRatings(db, failing, { scores: scores(120, 200), at: hoursBefore(24 * 10) });
    await evaluateNewRatings(db, NOW);
    const open = await openAlerts('below_target');
    expect(open.map((alert) => alert.condition_key)).toEqual(
      expect.arrayContaining([
        `below_target:desk:${failing.id}`,
        `below_target:unit:${unit.id}`,
        expect.stringMatching(new RegExp(`^below_target:domain:${unit.id}:\\d+$`)),
      ]),
    );
    const desk = open.find((alert) => alert.desk_id === failing.id)!;
    expect(desk.explanation_vi).toContain('chắc chắn dưới chỉ tiêu 90%');
    expect(desk.explanation_vi).toContain('60,0%');
    expect(desk.explanation_en).toContain('below the 90% target');
    expect(desk.link).toBe(`/desks/${failing.id}`);
    expect(open.find((alert) => alert.condition_key === `below_target:unit:${unit.id}`)!.link).toBe(
      `/?unitId=${unit.id}&period=2026`,
    );
  });

  it('opens one alert per condition: more bad ratings do not open a second', async () => {
    await writeRatings(db, failing, { scores: scores(10, 20), at: hoursBefore(24 * 2) });
    await evaluateNewRatings(db, NOW);
    expect(await alertsOf(`below_target:desk:${failing.id}`)).toHaveLength(1);
  });

  it('stays quiet on a small sample, however low, and on a share below the target whose interval reaches it', async () => {
    await writeRatings(db, small, { scores: scores(10, 20), at: hoursBefore(30) });
    // 87.5% on 40 ratings: below 90% as a point, but the interval reaches 95%.
    await writeRatings(db, straddling, { scores: scores(35, 40), at: hoursBefore(30) });
    await evaluateNewRatings(db, NOW);
    const keys = (await openAlerts('below_target')).map((alert) => alert.condition_key);
    expect(keys).not.toContain(`below_target:desk:${small.id}`);
    expect(keys).not.toContain(`below_target:desk:${straddling.id}`);
  });

  it('clears when the desk recovers, and fires again on a new dip', async () => {
    await writeRatings(db, failing, { scores: scores(900, 900), at: hoursBefore(20) });
    const later = new Date(NOW.getTime() + 60_000);
    await evaluateNewRatings(db, later);
    const [first] = await alertsOf(`below_target:desk:${failing.id}`);
    expect(first!.cleared_at).toEqual(later);
    expect((await openAlerts('below_target')).map((alert) => alert.condition_key)).not.toContain(
      `below_target:unit:${unit.id}`,
    );
  });

  it('answers only for units with a target, and not when the unit turned the rule off', async () => {
    const { desk } = await makeDesk(db);
    await writeRatings(db, desk, { scores: scores(10, 100), at: hoursBefore(5) });
    const withTarget = await makeUnit(db);
    await heldTo(withTarget, 90);
    await db
      .insertInto('alert_setting')
      .values({ unit_id: withTarget.id, ...DEFAULT_ALERT_SETTING, below_target: false })
      .execute();
    const { desk: off } = await makeDesk(db, { unit: withTarget });
    await writeRatings(db, off, { scores: scores(10, 100), at: hoursBefore(5) });
    await evaluateNewRatings(db, NOW);
    const keys = (await openAlerts('below_target')).map((alert) => alert.condition_key);
    expect(keys).not.toContain(`below_target:desk:${desk.id}`);
    expect(keys).not.toContain(`below_target:desk:${off.id}`);
  });
});

describe('below target: what the windows count', () => {
  /**
   * A desk rated in a whole month of the year, last month within 30 days, this month, and
   * last year, with part of it folded (`folded`) before ten more ratings land in the whole
   * month; resolves with the counts its alert and its unit's alert were raised on.
   */
  async function countsRaisedOn(folded: boolean) {
    const unit = await makeUnit(db);
    await heldTo(unit, 95);
    const { desk } = await makeDesk(db, { unit });
    await writeRatings(db, desk, { scores: scores(30, 60), at: '2026-03-10T09:00:00+07:00' });
    await writeRatings(db, desk, { scores: scores(20, 40), at: '2026-05-21T09:00:00+07:00' });
    await writeRatings(db, desk, { scores: scores(15, 30), at: '2026-06-08T09:00:00+07:00' });
    await writeRatings(db, desk, { scores: scores(0, 50), at: '2025-12-20T09:00:00+07:00' });
    if (folded) await foldAll(db);
    await writeRatings(db, desk, { scores: scores(5, 10), at: '2026-03-11T09:00:00+07:00' });
    await evaluateNewRatings(db, NOW);
    const evidence = await db
      .selectFrom('alert')
      .select(['condition_key', 'evidence'])
      .where('condition_key', 'in', [`below_target:desk:${desk.id}`, `below_target:unit:${unit.id}`])
      .orderBy('condition_key')
      .execute();
    return {
      desk,
      counts: evidence.map((alert) => {
        const { year, last30Days } = alert.evidence as { year: { n: number }; last30Days: { n: number } };
        return { key: alert.condition_key.replace(/\d+$/, ''), year: year.n, last30Days: last30Days.n };
      }),
    };
  }

  it('counts the year and the last 30 days alike from ratings not yet folded and from the rollups', async () => {
    const expected = [
      { key: 'below_target:desk:', year: 140, last30Days: 70 },
      { key: 'below_target:unit:', year: 140, last30Days: 70 },
    ];
    expect((await countsRaisedOn(false)).counts).toEqual(expected);
    const { desk, counts } = await countsRaisedOn(true);
    expect(counts).toEqual(expected);
    // The day rollups hold each folded day's overall answers, as a recount gives them.
    const recount = await sql<Record<string, unknown>>`
      select vn_date(r.rated_at)::text as day, count(*) filter (where a.score = 1)::integer as n1,
        count(*) filter (where a.score = 5)::integer as n5
      from response r join response_answer a on a.response_id = r.id
      join question q on q.id = a.question_id and q.role = 'overall'
      where r.desk_id = ${desk.id} and not exists (select 1 from rollup_pending p where p.response_id = r.id)
      group by 1 order by 1
    `.execute(db);
    const days = await db
      .selectFrom('rollup_overall_day')
      .select([sql<string>`day::text`.as('day'), 'n1', 'n5'])
      .where('desk_id', '=', desk.id)
      .orderBy('day')
      .execute();
    expect(days).toEqual(recount.rows);
  });
});

describe('spike of unhappy ratings', () => {
  let desk: Desk;

  beforeAll(async () => {
    ({ desk } = await makeDesk(db));
    // The desk's record: 10% unhappy over the spring.
    for (const month of ['2026-03-10', '2026-04-10', '2026-05-10'])
      await writeRatings(db, desk, {
        scores: [...Array(60).fill(5), ...Array(7).fill(1)],
        at: `${month}T09:00:00+07:00`,
      });
    await foldAll(db);
    await evaluateNewRatings(db, NOW);
  });

  it('stays quiet on three bad ratings in a quiet hour', async () => {
    await writeRatings(db, desk, { scores: [1, 1, 2], at: hoursBefore(1) });
    await evaluateNewRatings(db, NOW);
    expect(await openAlerts('unhappy_spike', desk)).toEqual([]);
  });

  it('stays quiet on a share of unhappy ratings that chance explains', async () => {
    // 3 unhappy of 15 (20%, against 10%): P ≈ 0.18.
    await writeRatings(db, desk, { scores: Array(12).fill(5), at: hoursBefore(2) });
    await evaluateNewRatings(db, NOW);
    expect(await openAlerts('unhappy_spike', desk)).toEqual([]);
  });

  it('fires when the share is far above the desk’s own baseline, with its explanation', async () => {
    await writeRatings(db, desk, { scores: Array(12).fill(1), at: hoursBefore(3) });
    await evaluateNewRatings(db, NOW);
    const [alert] = await openAlerts('unhappy_spike', desk);
    expect(alert!.condition_key).toBe(`unhappy_spike:desk:${desk.id}`);
    expect(alert!.explanation_vi).toContain('15/27 lượt đánh giá trong 24 giờ qua');
    expect(alert!.explanation_en).toContain('below 1 in 1,000');
  });

  it('clears when the bad ratings leave the window', async () => {
    const nextDay = new Date(NOW.getTime() + 25 * 3_600_000);
    await sweepAlerts(db, nextDay);
    expect(await openAlerts('unhappy_spike', desk)).toEqual([]);
    expect((await alertsOf(`unhappy_spike:desk:${desk.id}`))[0]!.cleared_at).toEqual(nextDay);
  });

  it('stays quiet at a new desk with few ratings on record and a quiet unit', async () => {
    const { desk: fresh } = await makeDesk(db);
    await writeRatings(db, fresh, { scores: [1, 1, 1, 5, 5, 5, 5, 5, 5, 5], at: hoursBefore(1) });
    await evaluateNewRatings(db, NOW);
    expect((await openAlerts('unhappy_spike', desk)).map((alert) => alert.desk_id)).not.toContain(fresh.id);
  });
});

describe('serious comment', () => {
  it('fires on wording about bribes, with and without diacritics, and clears once the comment is answered', async () => {
    const { desk } = await makeDesk(db);
    const [bribe] = await writeRatings(db, desk, {
      scores: [1],
      at: hoursBefore(1),
      body: { comment: 'Cán bộ đòi bồi dưỡng mới làm' },
    });
    const [plain] = await writeRatings(db, desk, {
      scores: [2],
      at: hoursBefore(1),
      body: { comment: 'can bo doi phong bi' },
    });
    const [kind] = await writeRatings(db, desk, {
      scores: [5],
      at: hoursBefore(1),
      body: { comment: 'Phong bìa hồ sơ đẹp, cán bộ tận tình' },
    });
    await evaluateNewRatings(db, NOW);
    const open = (await openAlerts('serious_comment')).map((alert) => alert.condition_key);
    expect(open).toEqual(
      expect.arrayContaining([`serious_comment:rating:${bribe}`, `serious_comment:rating:${plain}`]),
    );
    expect(open).not.toContain(`serious_comment:rating:${kind}`);

    await db
      .insertInto('follow_up')
      .values({ response_id: bribe!, status: 'answered', note: 'Đã xử lý', updated_by: null })
      .onConflict((oc) =>
        oc.column('response_id').doUpdateSet({ status: 'answered', note: 'Đã xử lý', updated_by: null }),
      )
      .execute();
    await sweepAlerts(db, NOW);
    expect((await openAlerts('serious_comment')).map((alert) => alert.condition_key)).toEqual([
      `serious_comment:rating:${plain}`,
    ]);
  });
});

describe('silent kiosk', () => {
  let desk: Desk;
  let deviceId: number;

  beforeAll(async () => {
    ({ desk } = await makeDesk(db));
    const { device } = await pairKioskDevice(db, { deskId: desk.id, label: 'Máy 1' });
    deviceId = device.id;
  });

  const seen = (at: string, queue: number | null = 0) =>
    db
      .updateTable('kiosk_device')
      .set({ paired_at: new Date('2026-01-01T00:00:00Z'), last_status_at: new Date(at), queue_length: queue })
      .where('id', '=', deviceId)
      .execute();

  it('stays quiet before the unit has been open for the silence allowed, and on Sundays', async () => {
    await seen('2026-06-09T16:00:00+07:00');
    await sweepAlerts(db, new Date('2026-06-10T07:50:00+07:00'));
    await sweepAlerts(db, new Date('2026-06-14T10:00:00+07:00'));
    expect(await openAlerts('silent_kiosk')).toEqual([]);
  });

  it('fires when a paired tablet has not reported for 30 minutes of opening hours, and clears when it reports', async () => {
    await sweepAlerts(db, new Date('2026-06-10T08:00:00+07:00'));
    const [alert] = await openAlerts('silent_kiosk');
    expect(alert!.condition_key).toBe(`silent_kiosk:device:${deviceId}`);
    expect(alert!.explanation_vi).toContain('Máy 1');
    await sweepAlerts(db, new Date('2026-06-10T08:01:00+07:00'));
    expect(await alertsOf(`silent_kiosk:device:${deviceId}`)).toHaveLength(1);

    await seen('2026-06-10T08:05:00+07:00');
    await sweepAlerts(db, new Date('2026-06-10T08:06:00+07:00'));
    expect(await openAlerts('silent_kiosk')).toEqual([]);
  });

  it('fires when the ratings waiting on the tablet pile up past the limit', async () => {
    await seen('2026-06-10T09:00:00+07:00', 25);
    await sweepAlerts(db, new Date('2026-06-10T09:01:00+07:00'));
    expect((await openAlerts('silent_kiosk')).map((alert) => alert.condition_key)).toEqual([
      `silent_kiosk:queue:${deviceId}`,
    ]);
    await seen('2026-06-10T09:05:00+07:00', 2);
    await sweepAlerts(db, new Date('2026-06-10T09:06:00+07:00'));
    expect(await openAlerts('silent_kiosk')).toEqual([]);
  });
});

describe('the first evaluation', () => {
  it('starts with the last day’s ratings: years of history do not raise alerts about old comments', async () => {
    await db.deleteFrom('alert_cursor').execute();
    const { desk } = await makeDesk(db);
    const [old] = await writeRatings(db, desk, {
      scores: [1],
      at: hoursBefore(72),
      body: { comment: 'Cán bộ đòi phong bì' },
    });
    const [recent] = await writeRatings(db, desk, {
      scores: [1],
      at: hoursBefore(2),
      body: { comment: 'Cán bộ đòi phong bì' },
    });
    await evaluateNewRatings(db, NOW);
    const keys = (await openAlerts('serious_comment', desk)).map((alert) => alert.condition_key);
    expect(keys).toEqual([`serious_comment:rating:${recent}`]);
    expect(keys).not.toContain(`serious_comment:rating:${old}`);
  });
});

describe('overdue follow-up', () => {
  const dueOn = (responseId: number, day: string) =>
    db
      .insertInto('follow_up')
      .values({ response_id: responseId, status: 'received', due_on: day })
      .onConflict((oc) => oc.column('response_id').doUpdateSet({ due_on: day }))
      .onConflict((oc) => oc.column('response_id').doUpdateSet({ status: 'received', due_on: day }))
      .execute();
  const explanation = (key: string) =>
    db
      .selectFrom('alert')
      .select(['explanation_vi', 'link'])
      .where('condition_key', '=', key)
      .where('cleared_at', 'is', null)
      .executeTakeFirst();

  it('fires once for a unit holding comments past their due day, and clears when they are answered', async () => {
    const { desk, unit } = await makeDesk(db, { unit: await makeUnit(db, { name: 'Xã Quá Hạn' }) });
    const key = `overdue_follow_up:unit:${unit.id}`;
    const [late, dueToday] = await writeRatings(db, desk, {
      scores: [1, 2],
      at: hoursBefore(24 * 10),
      body: { comment: 'Chờ lâu quá' },
    });
    await dueOn(late!, '2026-06-09');
    // Due today is on time.
    await dueOn(dueToday!, '2026-06-10');
    await sweepAlerts(db, NOW);
    expect(await explanation(key)).toEqual({
      explanation_vi: expect.stringContaining('có 1 góp ý hoặc đánh giá thấp đã quá hạn xử lý'),
      link: `/follow-ups?unitId=${unit.id}&focus=overdue`,
    });
    expect((await explanation(key))!.explanation_vi).toContain('hạn sớm nhất 09/06/2026');
    await sweepAlerts(db, new Date(NOW.getTime() + 60_000));
    expect(await alertsOf(key)).toHaveLength(1);

    await db.updateTable('follow_up').set({ status: 'answered' }).where('response_id', '=', late!).execute();
    await sweepAlerts(db, new Date(NOW.getTime() + 120_000));
    expect(await explanation(key)).toBeUndefined();
    expect(await alertsOf(key)).toEqual([{ fired_at: NOW, cleared_at: new Date(NOW.getTime() + 120_000) }]);
  });

  it('stays quiet for a unit that turned the rule off', async () => {
    const { desk, unit } = await makeDesk(db);
    await db
      .insertInto('alert_setting')
      .values({ unit_id: unit.id, ...DEFAULT_ALERT_SETTING, overdue_follow_up: false })
      .execute();
    const [late] = await writeRatings(db, desk, { scores: [1], at: hoursBefore(24 * 10) });
    await dueOn(late!, '2026-06-01');
    await sweepAlerts(db, NOW);
    expect(await alertsOf(`overdue_follow_up:unit:${unit.id}`)).toEqual([]);
  });
});

describe('spike: what the window counts', () => {
  /**
   * Twelve unhappy ratings inside a 24-hour window that starts and ends mid-hour (in its
   * first partial hour, in whole hours, in the current hour), five before it and five after
   * `now`; with part folded (`folded`) before the last of them. Resolves with the counts
   * the spike alert was raised on.
   */
  async function countsRaisedOn(folded: boolean) {
    const now = new Date('2026-06-10T10:20:00+07:00');
    const { desk } = await makeDesk(db);
    const at = (time: string) => `${time}+07:00`;
    await writeRatings(db, desk, { scores: Array(5).fill(5), at: at('2026-06-09T10:10:00') });
    await writeRatings(db, desk, { scores: [1, 1, 1], at: at('2026-06-09T10:40:00') });
    await writeRatings(db, desk, { scores: [1, 2, 1], at: at('2026-06-09T15:00:00') });
    await writeRatings(db, desk, { scores: [1, 1, 2], at: at('2026-06-10T09:59:00') });
    if (folded) await foldAll(db);
    await writeRatings(db, desk, { scores: [1, 1, 1], at: at('2026-06-10T10:05:00') });
    await writeRatings(db, desk, { scores: Array(5).fill(5), at: at('2026-06-10T10:25:00') });
    await evaluateNewRatings(db, now);
    const alert = await db
      .selectFrom('alert')
      .select('evidence')
      .where('condition_key', '=', `unhappy_spike:desk:${desk.id}`)
      .executeTakeFirstOrThrow();
    const { n, unhappy } = alert.evidence as { n: number; unhappy: number };
    return { n, unhappy };
  }

  it('counts the same from the hour rollups as from ratings not yet folded, to the minute at both ends', async () => {
    expect(await countsRaisedOn(false)).toEqual({ n: 12, unhappy: 12 });
    expect(await countsRaisedOn(true)).toEqual({ n: 12, unhappy: 12 });
  });
});
