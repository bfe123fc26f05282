import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { createDesk } from '../desks/desk.repository.ts';
import { createDemoAccounts } from './demo-accounts.ts';
import { findQuestionnaire } from '../questionnaires/questionnaire.repository.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { Channel } from '../responses/response.table.ts';
import { foldAll } from '../rollups/fold.ts';
import { releaseDue } from '../scorecard/release.ts';
import type { NewTarget } from '../targets/target.table.ts';
import { createUnit, findOrCreateCountryRoot } from '../units/unit.repository.ts';
import type { AgencySector, UnitKind } from '../units/unit.table.ts';
import { vietnamMidnight, vietnamDate, addDays } from '../time/vietnam-time.ts';
import { commentElements } from '../comments/comment-elements.ts';
import { maskComment } from '../comments/comment-masking.ts';
import { addWorkingDays } from '../time/working-days.ts';

/** The platform's default working days to follow up (a unit without its own setting). */
const DEMO_FOLLOW_UP_DAYS = 5;

export const DEMO_PROVINCE_CODE = 'DEMO-TH';

interface DemoDesk {
  code: string;
  name: string;
  domains: string[];
  questionnaire?: 'quick' | 'full';
  /** Points added to the domain's satisfaction share at this desk. */
  lift: number;
  /** Average ratings per working day. */
  volume: number;
}

interface DemoUnit {
  code: string;
  name: string;
  kind: UnitKind;
  agencySector?: AgencySector;
  desks: DemoDesk[];
}

const provinceUnits: DemoUnit[] = [
  {
    code: 'DEMO-TH-TTHCC',
    name: 'Trung tâm Phục vụ hành chính công tỉnh',
    kind: 'agency',
    desks: [
      { code: 'tthccdatdai', name: 'Quầy Đất đai', domains: ['land'], lift: -4, volume: 16 },
      { code: 'tthccxaydung', name: 'Quầy Xây dựng', domains: ['construction'], lift: 1, volume: 9 },
      {
        code: 'tthccdautu',
        name: 'Quầy Đầu tư, Kinh doanh',
        domains: ['business_investment'],
        questionnaire: 'full',
        lift: 2,
        volume: 7,
      },
    ],
  },
  {
    code: 'DEMO-TH-BVDK',
    name: 'Bệnh viện Đa khoa tỉnh',
    kind: 'agency',
    agencySector: 'health',
    desks: [{ code: 'bvdktiepdon', name: 'Khu tiếp đón người bệnh', domains: ['health'], lift: -2, volume: 22 }],
  },
  {
    code: 'DEMO-TH-THPTHR',
    name: 'Trường THPT Hàm Rồng',
    kind: 'agency',
    agencySector: 'education',
    desks: [{ code: 'thpthamrong', name: 'Văn phòng nhà trường', domains: ['education'], lift: 3, volume: 5 }],
  },
  {
    code: 'DEMO-TH-HACTHANH',
    name: 'Phường Hạc Thành',
    kind: 'ward',
    desks: [
      { code: 'hacthanh1', name: 'Một cửa — Quầy 1', domains: ['land', 'construction'], lift: -1, volume: 14 },
      { code: 'hacthanh2', name: 'Một cửa — Quầy 2', domains: ['civil_status', 'certification'], lift: 1, volume: 18 },
      {
        code: 'hacthanh3',
        name: 'Một cửa — Quầy 3',
        domains: ['labour_social', 'other'],
        questionnaire: 'full',
        lift: 0,
        volume: 8,
      },
    ],
  },
  {
    code: 'DEMO-TH-THANHVINH',
    name: 'Xã Thành Vinh',
    kind: 'commune',
    desks: [
      {
        code: 'thanhvinh1',
        name: 'Một cửa — Quầy 1',
        domains: ['land', 'construction', 'environment'],
        lift: -6,
        volume: 8,
      },
      {
        code: 'thanhvinh2',
        name: 'Một cửa — Quầy 2',
        domains: ['civil_status', 'certification', 'labour_social'],
        lift: -2,
        volume: 9,
      },
    ],
  },
  {
    code: 'DEMO-TH-THACHBINH',
    name: 'Xã Thạch Bình',
    kind: 'commune',
    desks: [
      {
        code: 'thachbinh1',
        name: 'Bộ phận tiếp nhận và trả kết quả',
        domains: ['land', 'civil_status', 'certification', 'labour_social'],
        lift: 2,
        volume: 7,
      },
    ],
  },
  {
    code: 'DEMO-TH-VANDU',
    name: 'Xã Vân Du',
    kind: 'commune',
    desks: [
      {
        code: 'vandu1',
        name: 'Bộ phận tiếp nhận và trả kết quả',
        domains: ['land', 'construction', 'civil_status', 'certification'],
        lift: 4,
        volume: 5,
      },
    ],
  },
];

/** Share (percent) of ratings of 4 or 5 per domain, before desk lifts and the yearly trend. */
const domainSatisfaction: Record<string, number> = {
  land: 80,
  construction: 84,
  environment: 83,
  health: 87,
  education: 92,
  civil_status: 94,
  certification: 95,
  business_investment: 89,
  labour_social: 91,
  other: 90,
};

/**
 * The demo province's own administrative-reform plan of each year, and one commune's: the
 * figures are those of real plans (DESIGN §1), the plans themselves are the demo's.
 */
const provincePlan = (year: number) => ({
  plan_number: `${180 + (year % 10) * 7}/KH-UBND`,
  plan_date: `${year - 1}-12-26`,
});
const communePlan = (year: number) => ({
  plan_number: `${12 + (year % 10)}/KH-UBND`,
  plan_date: `${year}-01-15`,
});

const sampleComments = [
  'Cán bộ hướng dẫn nhiệt tình, dễ hiểu.',
  'Thời gian chờ hơi lâu, mong bố trí thêm quầy vào buổi sáng.',
  'Nên có thêm ghế ngồi chờ và quạt.',
  'Thủ tục nhanh gọn, cảm ơn cán bộ.',
  'Phải đi lại hai lần mới bổ sung đủ hồ sơ.',
  'Trả kết quả trễ hẹn ba ngày.',
  'Bảng niêm yết thủ tục chữ nhỏ, khó đọc.',
  'Máy lấy số thứ tự bị hỏng.',
  'Staff were very helpful, thank you.',
];

/** A small deterministic generator, so every demo database holds the same ratings. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoSummary {
  province: string;
  units: number;
  desks: { code: string; unit: string; name: string }[];
  ratings: number;
}

export async function hasDemoData(db: Db): Promise<boolean> {
  const found = await db.selectFrom('unit').select('id').where('code', '=', DEMO_PROVINCE_CODE).executeTakeFirst();
  return found !== undefined;
}

/**
 * Loads the demo province: a ward, communes and agencies with desks for the common
 * domains, targets with the figures of real reform plans, and about a year of synthetic
 * ratings whose satisfaction differs by domain and desk (some above target, some below).
 */
export async function seedDemo(db: Db, options: { now?: Date; days?: number } = {}): Promise<DemoSummary> {
  const now = options.now ?? new Date();
  const days = options.days ?? 365;
  const random = mulberry32(20260701);

  const domainRows = await db.selectFrom('domain').select(['id', 'code']).execute();
  const domainId = new Map(domainRows.map((row) => [row.code, row.id]));
  const [quick, full] = await Promise.all([findQuestionnaire(db, 'quick-1'), findQuestionnaire(db, 'full-1')]);
  if (!quick || !full) throw new Error('the default questionnaires are missing; run the migrations first');

  const created = await db.transaction().execute(async (trx) => {
    const country = await findOrCreateCountryRoot(trx);
    const province = await createUnit(trx, {
      code: DEMO_PROVINCE_CODE,
      name: 'Tỉnh Thanh Hóa (dữ liệu mẫu)',
      kind: 'province',
      parent_id: country.id,
      valid_from: null,
      valid_until: null,
      merged_into_id: null,
    });
    const desks: { id: number; unitId: number; unitName: string; spec: DemoDesk }[] = [];
    for (const spec of provinceUnits) {
      const unit = await createUnit(trx, {
        code: spec.code,
        name: spec.name,
        kind: spec.kind,
        parent_id: province.id,
        valid_from: '2025-07-01',
        valid_until: null,
        merged_into_id: null,
        agency_sector: spec.agencySector ?? null,
      });
      for (const deskSpec of spec.desks) {
        const desk = await createDesk(
          trx,
          {
            unit_id: unit.id,
            code: deskSpec.code,
            name: deskSpec.name,
            questionnaire_code: deskSpec.questionnaire ?? 'quick',
          },
          deskSpec.domains.map((code) => domainId.get(code)!),
        );
        desks.push({ id: desk.id, unitId: unit.id, unitName: spec.name, spec: deskSpec });
      }
    }
    await trx
      .insertInto('target')
      .values(demoTargets(province.id, domainId, now))
      .execute();
    const thanhVinh = await trx
      .selectFrom('unit')
      .select('id')
      .where('code', '=', 'DEMO-TH-THANHVINH')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('target')
      .values(
        [2025, 2026].map((year) => ({
          unit_id: thanhVinh.id,
          year,
          metric: 'tthc' as const,
          domain_id: null,
          comparison: 'gt' as const,
          threshold: 80,
          ...communePlan(year),
          plan_sentence: `Kế hoạch cải cách hành chính năm ${year} của UBND xã Thành Vinh: mức độ hài lòng của người dân và doanh nghiệp trong giải quyết thủ tục hành chính đạt mức trên 80%.`,
        })),
      )
      .execute();
    await createDemoAccounts(trx);
    return { province, desks };
  });

  const firstDay = addDays(vietnamDate(now), -days);
  let ratings = 0;
  for (const desk of created.desks) {
    const questionnaire = desk.spec.questionnaire === 'full' ? full : quick;
    const rows = generateDeskRatings(desk, questionnaire, domainId, random, firstDay, days, now);
    ratings += rows.length;
    await insertGenerated(db, rows, now);
  }
  await foldAll(db);
  // The province, the ward and two agencies publish their scorecards (/p/<code>); two
  // communes do not. The quarters already over are released now.
  await db
    .updateTable('unit')
    .set({ public_scorecard: true })
    .where('code', 'in', [DEMO_PROVINCE_CODE, 'DEMO-TH-HACTHANH', 'DEMO-TH-TTHCC', 'DEMO-TH-BVDK'])
    .execute();
  await releaseDue(db, now);

  return {
    province: created.province.name,
    units: provinceUnits.length + 1,
    desks: created.desks.map((desk) => ({ code: desk.spec.code, unit: desk.unitName, name: desk.spec.name })),
    ratings,
  };
}

function demoTargets(provinceId: number, domainId: Map<string, number>, now: Date): NewTarget[] {
  const thisYear = Number(vietnamDate(now).slice(0, 4));
  const perYear = (year: number): NewTarget[] => [
    {
      unit_id: provinceId,
      year,
      metric: 'tthc',
      domain_id: null,
      comparison: 'gte',
      threshold: 90,
      ...provincePlan(year),
      plan_sentence: 'Mức độ hài lòng của người dân, doanh nghiệp về giải quyết thủ tục hành chính đạt tối thiểu 90%.',
    },
    {
      unit_id: provinceId,
      year,
      metric: 'agency_service',
      domain_id: null,
      comparison: 'gte',
      threshold: 95,
      ...provincePlan(year),
      plan_sentence:
        'Mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước đạt tối thiểu 95%.',
    },
    ...['health', 'education'].map((code) => ({
      unit_id: provinceId,
      year,
      metric: 'domain' as const,
      domain_id: domainId.get(code)!,
      comparison: 'gte' as const,
      threshold: 90,
      ...provincePlan(year),
      plan_sentence: 'Mức độ hài lòng của người dân về cung cấp dịch vụ y tế, giáo dục công lập đạt tối thiểu 90%.',
    })),
  ];
  return [...perYear(thisYear - 1), ...perYear(thisYear)];
}

interface GeneratedRating {
  deskId: number;
  unitId: number;
  domainId: number;
  questionnaireId: string;
  channel: Channel;
  language: 'vi' | 'en';
  ratedAt: Date;
  answers: { question_id: number; score: number }[];
  reasonIds: number[];
  comment: string | undefined;
}

function generateDeskRatings(
  desk: { id: number; unitId: number; spec: DemoDesk },
  questionnaire: NonNullable<Awaited<ReturnType<typeof findQuestionnaire>>>,
  domainId: Map<string, number>,
  random: () => number,
  firstDay: string,
  days: number,
  now: Date,
): GeneratedRating[] {
  const rows: GeneratedRating[] = [];
  const criteria = questionnaire.questions.filter((question) => question.role === 'criterion');
  for (let offset = 0; offset <= days; offset++) {
    const day = addDays(firstDay, offset);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday === 0) continue;
    // Saturday mornings only, at a third of the weekday flow.
    const expected = desk.spec.volume * (weekday === 6 ? 0.33 : 1);
    const count = Math.max(0, Math.round(expected * (0.6 + random() * 0.8)));
    for (let i = 0; i < count; i++) {
      const domainCode = desk.spec.domains[Math.floor(random() * desk.spec.domains.length)]!;
      // Desks improve a little over the year, as units act on what they see.
      const share = (domainSatisfaction[domainCode]! + desk.spec.lift + (offset / days) * 3 - 1.5) / 100;
      const overall = drawScore(random, share);
      const minutes = weekday === 6 ? 450 + random() * 240 : 450 + random() * 570;
      const ratedAt = new Date(vietnamMidnight(day).getTime() + minutes * 60_000);
      if (ratedAt > now) continue;
      const channelDraw = random();
      const channel: Channel = channelDraw < 0.45 ? 'qr' : channelDraw < 0.85 ? 'kiosk' : 'dossier';
      const answers = [{ question_id: questionnaire.overall.id, score: overall }];
      for (const criterion of criteria) {
        if (random() < 0.06) continue; // "no opinion"
        const score = Math.min(5, Math.max(1, overall + Math.round((random() - 0.5) * 2.2)));
        answers.push({ question_id: criterion.id, score });
      }
      const low = overall <= LOW_RATING_MAX;
      const reasonIds =
        low && questionnaire.reasons.length > 0
          ? pickSome(
              random,
              questionnaire.reasons.map((reason) => reason.id),
              1 + Math.floor(random() * 2),
            )
          : [];
      const comment =
        random() < (low ? 0.25 : 0.03) ? sampleComments[Math.floor(random() * sampleComments.length)] : undefined;
      rows.push({
        deskId: desk.id,
        unitId: desk.unitId,
        domainId: domainId.get(domainCode)!,
        questionnaireId: questionnaire.questionnaire.id,
        channel,
        language: random() < 0.03 ? 'en' : 'vi',
        ratedAt,
        answers,
        reasonIds,
        comment,
      });
    }
  }
  return rows;
}

/** Draws 1–5 so that 4 or 5 come up with probability `share`. */
function drawScore(random: () => number, share: number): number {
  const draw = random();
  if (draw < share) return draw < share * 0.45 ? 5 : 4;
  const rest = (draw - share) / (1 - share);
  return rest < 0.5 ? 3 : rest < 0.82 ? 2 : 1;
}

function pickSome<T>(random: () => number, items: T[], count: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return picked;
}

/** Writes generated ratings as the rating API would, in large batches. */
async function insertGenerated(db: Db, rows: GeneratedRating[], now: Date): Promise<void> {
  const chunkSize = 1000;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    await db.transaction().execute(async (trx) => {
      const tokenIds = new Map<number, number>();
      const dossierRows = chunk.flatMap((row, index) => (row.channel === 'dossier' ? [{ row, index }] : []));
      if (dossierRows.length > 0) {
        const tokens = await trx
          .insertInto('dossier_token')
          .values(
            dossierRows.map(({ row }) => ({
              token_hash: createHash('sha256').update(randomBytes(15)).digest(),
              desk_id: row.deskId,
              domain_id: row.domainId,
              issued_at: new Date(row.ratedAt.getTime() - 20 * 60_000),
              expires_at: new Date(row.ratedAt.getTime() + 30 * 86_400_000),
              used_at: row.ratedAt,
            })),
          )
          .returning('id')
          .execute();
        dossierRows.forEach(({ index }, position) => tokenIds.set(index, tokens[position]!.id));
      }
      const responses = await trx
        .insertInto('response')
        .values(
          chunk.map((row, index) => ({
            idempotency_key: `demo-${randomBytes(12).toString('base64url')}`,
            request_hash: randomBytes(32),
            desk_id: row.deskId,
            unit_id: row.unitId,
            domain_id: row.domainId,
            questionnaire_id: row.questionnaireId,
            channel: row.channel,
            language: row.language,
            dossier_token_id: tokenIds.get(index) ?? null,
            client_time: row.ratedAt,
            rated_at: row.ratedAt,
            received_at: row.ratedAt,
          })),
        )
        .returning('id')
        .execute();
      const ids = responses.map((response) => response.id);
      const answers = chunk.flatMap((row, index) =>
        row.answers.map((answer) => ({ response_id: ids[index]!, ...answer })),
      );
      for (let at = 0; at < answers.length; at += 5000) {
        await trx
          .insertInto('response_answer')
          .values(answers.slice(at, at + 5000))
          .execute();
      }
      const reasons = chunk.flatMap((row, index) =>
        row.reasonIds.map((reason_id) => ({ response_id: ids[index]!, reason_id })),
      );
      if (reasons.length > 0) await trx.insertInto('response_reason').values(reasons).execute();
      const comments = chunk.flatMap((row, index) =>
        row.comment ? [storedComment(ids[index]!, row.comment, row.ratedAt)] : [],
      );
      if (comments.length > 0) await trx.insertInto('comment').values(comments).execute();
      // The last two weeks' follow-ups have their due days, as the rating path gives them, so
      // the demo dashboard has some overdue; older ones were kept without (as before due days).
      const followUps = chunk.flatMap((row, index) =>
        (row.comment || row.answers[0]!.score <= LOW_RATING_MAX) &&
        now.getTime() - row.ratedAt.getTime() < 14 * 86_400_000
          ? [
              {
                response_id: ids[index]!,
                status: 'received' as const,
                due_on: addWorkingDays(vietnamDate(row.ratedAt), DEMO_FOLLOW_UP_DAYS),
                updated_at: row.ratedAt,
              },
            ]
          : [],
      );
      if (followUps.length > 0) await trx.insertInto('follow_up').values(followUps).execute();
      await trx
        .insertInto('rollup_pending')
        .values(ids.map((response_id) => ({ response_id })))
        .execute();
    });
  }
}

/** A comment as the rating path stores it: masked and tagged. */
function storedComment(responseId: number, comment: string, at: Date) {
  const body = maskComment(comment);
  return { response_id: responseId, body, elements: commentElements(body), follow_up_code: null, created_at: at };
}
