import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../server/desks/desk.table.ts';
import { writeBatch, type Submission } from '../../server/responses/write-batch.ts';
import type { Unit } from '../../server/units/unit.table.ts';
import { mergeUnit } from '../../server/units/unit.repository.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk, makeUnit } from '../factories.ts';
import { makeOfficial } from '../officials.ts';
import { startTestServer, type TestServer } from '../server.ts';
import { expectAccessible, launchChromium } from './chromium.ts';

const { db } = await createTestDatabase();
let server: TestServer;
let browser: Browser;
let province: Unit;
let viewer: { username: string; password: string };

async function rate(desk: Desk, questionnaireId: string, answers: Record<string, number>[], at: string) {
  const submissions: Submission[] = answers.map((answer) => ({
    body: {
      deskCode: desk.code,
      domain: 'land',
      questionnaireId,
      answers: answer,
      language: 'vi',
      channel: 'qr',
      clientTime: at,
      idempotencyKey: randomUUID(),
    },
    bucket: Buffer.from('report-view'),
    receivedAt: new Date(Date.parse(at) + 60_000),
  }));
  const outcomes = await writeBatch(db, submissions, {
    rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 },
  });
  expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
}

beforeAll(async () => {
  province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Hiển Thị' });
  const old = await makeUnit(db, { parent_id: province.id, name: 'Xã Trước Sáp Nhập' });
  const successor = await makeUnit(db, { parent_id: province.id, name: 'Xã Sau Sáp Nhập' });
  const { desk: oldDesk } = await makeDesk(db, { unit: old, domains: ['land'] });
  const { desk: fullDesk } = await makeDesk(db, { unit: successor, domains: ['land'], questionnaire: 'full' });
  await rate(oldDesk, 'quick-1', [{ overall: 5 }, { overall: 4 }, { overall: 2 }], '2025-12-10T09:00:00+07:00');
  await db.transaction().execute((trx) => mergeUnit(trx, old.id, successor.id, '2026-01-01'));
  // Four full ballots of 3 or 4 criteria each: 14 answers.
  await rate(
    fullDesk,
    'full-1',
    [
      { overall: 5, 'access.signage': 5, 'access.seating': 5, 'access.equipment': 4, 'procedure.posted': 5 },
      { overall: 4, 'access.signage': 4, 'access.seating': 5, 'access.equipment': 5, 'procedure.posted': 2 },
      { overall: 3, 'access.signage': 4, 'access.seating': 1, 'access.equipment': 3 },
      { overall: 4, 'access.signage': 5, 'access.seating': 3, 'procedure.posted': 4 },
    ],
    '2026-01-15T09:00:00+07:00',
  );
  // Dossiers entered for January only.
  await db.insertInto('dossier_volume').values({ unit_id: successor.id, month: '2026-01-01', dossiers: 120 }).execute();
  await db
    .insertInto('target')
    .values([
      { unit_id: province.id, year: 2025, metric: 'tthc', domain_id: null, threshold: 80 },
      { unit_id: province.id, year: 2026, metric: 'tthc', domain_id: null, threshold: 90 },
    ])
    .execute();
  viewer = await makeOfficial(db, 'viewer', province);
  server = await startTestServer(db);
  browser = await launchChromium();
});

describe('the report view says what its figures rest on', () => {
  it('ballots and answers, missing dossier months, merged units and targets year by year, accessibly', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'vi-VN',
      bypassCSP: true, // for axe
    });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/officials/`);
    await page.getByLabel('Tên đăng nhập').fill(viewer.username);
    await page.getByLabel('Mật khẩu').fill(viewer.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: /Mức độ hài lòng/ }).waitFor();
    await page.goto(`${server.baseUrl}/officials/?unitId=${province.id}&period=2025-12-01..2026-02-28`);
    await page.getByRole('heading', { name: /Từ 01\/12\/2025 đến 28\/02\/2026/ }).waitFor();

    // N: January entered (120), December and February not: estimated, and named.
    await page.getByText(/khoảng 348 \(chưa nhập tháng 12\/2025, 02\/2026/).waitFor();
    // The pooled index: 4 ballots of 14 answers, never 14 "ballots".
    await page.getByText(/n = 4 phiếu, 14 câu trả lời/).waitFor();
    // Each target against its own year's part of the range.
    const targets = page.getByRole('region', { name: 'So với chỉ tiêu kế hoạch' });
    await targets.getByText('So với chỉ tiêu năm 2025 trên số liệu Từ 01/12/2025 đến 31/12/2025.').waitFor();
    await targets.getByText('So với chỉ tiêu năm 2026 trên số liệu Từ 01/01/2026 đến 28/02/2026.').waitFor();
    await page.getByText(/Khoảng thời gian này gồm nhiều năm/).waitFor();
    // The merged commune sits under its successor, marked, unranked.
    const ranking = page.getByRole('table', { name: 'Xếp hạng các đơn vị trực thuộc' });
    const merged = ranking.getByRole('row', { name: /Xã Trước Sáp Nhập/ });
    await expect
      .poll(() => merged.textContent())
      .toMatch(/đã sáp nhập vào Xã Sau Sáp Nhập từ 01\/01\/2026; số liệu đã tính trong Xã Sau Sáp Nhập/);
    expect((await merged.getByRole('cell').first().textContent())!.trim()).toBe('—');
    await expectAccessible(page, 'dashboard with a merged unit');
    await context.close();
  }, 60_000);
});
