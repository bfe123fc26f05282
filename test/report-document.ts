import JSZip from 'jszip';
import type { Db } from '../server/db/database.ts';
import type { Desk } from '../server/desks/desk.table.ts';
import { foldAll } from '../server/rollups/fold.ts';
import { domainIds, makeDesk, makeUnit, writeRatings } from './factories.ts';

/**
 * A small province worked out by hand for the report document's tests: figures, targets,
 * comparisons and comments whose every number the tests recompute in their comments.
 *
 * Tỉnh Hà Thử (1,000 dossiers a month in the second quarter of 2026: N = 3,000, 353
 * ballots needed), with Xã An Bình, Phường Đông and Bệnh viện tỉnh (a hospital). Targets
 * of 2026 are the province's only: TTHC at least 90% (plan 12/KH-UBND of 15/01/2026) and
 * land at least 85%; its sub-units inherit them.
 *
 * | 2026-Q2                         | satisfied / ballots | 2026-Q1 |
 * | An Bình, land (380 × 5, 20 × 2) | 380 / 400           | 300 / 400 |
 * | An Bình, civil status (30 × 4, 10 × 1) | 30 / 40      |         |
 * | Đông, land (300 × 4, 100 × 3)   | 300 / 400           | 300 / 400 |
 * | hospital, health (9 × 5, 1 × 1) | 9 / 10              |         |
 * | province                        | 719 / 850           | 600 / 800 |
 *
 * Nothing in 2025. Two comments in the quarter: one on a rating of 1 (answered), one on a 5.
 */
export async function seedDocumentProvince(db: Db) {
  const province = await makeUnit(db, { kind: 'province', name: 'Tỉnh Hà Thử' });
  const commune = await makeUnit(db, { kind: 'commune', name: 'Xã An Bình', parent_id: province.id });
  const ward = await makeUnit(db, { kind: 'ward', name: 'Phường Đông', parent_id: province.id });
  const hospital = await makeUnit(db, {
    kind: 'agency',
    agency_sector: 'health',
    name: 'Bệnh viện tỉnh',
    parent_id: province.id,
  });
  const communeDesk = (await makeDesk(db, { unit: commune, domains: ['land', 'civil_status'] })).desk;
  const wardDesk = (await makeDesk(db, { unit: ward, domains: ['land'] })).desk;
  const hospitalDesk = (await makeDesk(db, { unit: hospital, domains: ['health'] })).desk;
  const rate = (desk: Desk, domain: string, scores: [score: number, count: number][], at: string, comment?: string) =>
    writeRatings(db, desk, {
      scores: scores.flatMap(([score, count]) => Array<number>(count).fill(score)),
      at,
      domain,
      ...(comment ? { body: { comment } } : {}),
    });
  await rate(
    communeDesk,
    'land',
    [
      [5, 380],
      [2, 20],
    ],
    '2026-05-05T09:00:00+07:00',
  );
  await rate(
    communeDesk,
    'civil_status',
    [
      [4, 30],
      [1, 9],
    ],
    '2026-05-06T09:00:00+07:00',
  );
  const [low] = await rate(communeDesk, 'civil_status', [[1, 1]], '2026-05-06T10:00:00+07:00', 'Chờ quá lâu');
  await rate(
    wardDesk,
    'land',
    [
      [4, 300],
      [3, 100],
    ],
    '2026-05-07T09:00:00+07:00',
  );
  await rate(hospitalDesk, 'health', [[5, 8]], '2026-05-08T09:00:00+07:00');
  await rate(hospitalDesk, 'health', [[5, 1]], '2026-05-08T10:00:00+07:00', '=1+1 cảm ơn');
  await rate(hospitalDesk, 'health', [[1, 1]], '2026-05-08T11:00:00+07:00');
  await rate(
    communeDesk,
    'land',
    [
      [4, 300],
      [2, 100],
    ],
    '2026-02-05T09:00:00+07:00',
  );
  await rate(
    wardDesk,
    'land',
    [
      [4, 300],
      [2, 100],
    ],
    '2026-02-06T09:00:00+07:00',
  );
  await foldAll(db);
  // The rating path opened the follow-up, with its due day.
  await db
    .updateTable('follow_up')
    .set({ status: 'answered', note: 'Đã gọi lại' })
    .where('response_id', '=', low!)
    .execute();

  const [land] = await domainIds(db, ['land']);
  await db
    .insertInto('target')
    .values([
      {
        unit_id: province.id,
        year: 2026,
        metric: 'tthc',
        domain_id: null,
        threshold: 90,
        plan_number: '12/KH-UBND',
        plan_date: '2026-01-15',
      },
      { unit_id: province.id, year: 2026, metric: 'domain', domain_id: land!, threshold: 85 },
    ])
    .execute();
  await db
    .insertInto('dossier_volume')
    .values(
      ['2026-04-01', '2026-05-01', '2026-06-01'].map((month) => ({ unit_id: province.id, month, dossiers: 1000 })),
    )
    .execute();
  return { province, commune, ward, hospital };
}

/** The DOCX's body as the text of its paragraphs, and its tables as rows of cell texts. */
export async function readDocx(bytes: ArrayBuffer | Buffer) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')!.async('string');
  const styles = await zip.file('word/styles.xml')!.async('string');
  const decode = (value: string) =>
    value
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const textOf = (fragment: string) =>
    [...fragment.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((match) => decode(match[1]!)).join('');
  const paragraphs = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((match) => textOf(match[0]));
  const tables = [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((match) => ({
    grid: [...match[0].matchAll(/<w:gridCol w:w="(\d+)"/g)].map((col) => Number(col[1])),
    rows: [...match[0].matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((row) =>
      [...row[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((cell) =>
        [...cell[0].matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) => textOf(p[0])).join('\n'),
      ),
    ),
  }));
  return { xml, styles, paragraphs, tables, text: paragraphs.join('\n') };
}
