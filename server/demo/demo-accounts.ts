import { hashPassword, verifyPassword } from '../auth/password.ts';
import type { Db, Trx } from '../db/database.ts';
import type { Role } from '../officials/official.table.ts';

/** One official per role, to try the platform; their passwords are public, like the data. */
export const DEMO_ACCOUNTS: {
  username: string;
  displayName: string;
  role: Role;
  unitCode: string;
  password: string;
}[] = [
  { username: 'quantri', displayName: 'Quản trị nền tảng', role: 'admin', unitCode: 'VN', password: 'demo-quantri' },
  {
    username: 'quanly.hacthanh',
    displayName: 'Cán bộ Phường Hạc Thành',
    role: 'manager',
    unitCode: 'DEMO-TH-HACTHANH',
    password: 'demo-quanly',
  },
  {
    username: 'xem.thanhhoa',
    displayName: 'Sở Nội vụ (xem báo cáo)',
    role: 'viewer',
    unitCode: 'DEMO-TH',
    password: 'demo-xem-bao-cao',
  },
];

export async function createDemoAccounts(trx: Trx): Promise<void> {
  for (const account of DEMO_ACCOUNTS) {
    const unit = await trx
      .selectFrom('unit')
      .select('id')
      .where('code', '=', account.unitCode)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('official')
      .values({
        username: account.username,
        display_name: account.displayName,
        role: account.role,
        unit_id: unit.id,
        password_hash: await hashPassword(account.password),
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .execute();
  }
}

/** The demo accounts that still have their demo password, to print at start-up. */
export async function demoAccountsInUse(db: Db): Promise<typeof DEMO_ACCOUNTS> {
  const rows = await db
    .selectFrom('official')
    .select(['username', 'password_hash'])
    .where(
      'username',
      'in',
      DEMO_ACCOUNTS.map((account) => account.username),
    )
    .where('active', '=', true)
    .execute();
  const inUse = [];
  for (const account of DEMO_ACCOUNTS) {
    const row = rows.find((candidate) => candidate.username === account.username);
    if (row && (await verifyPassword(row.password_hash, account.password))) inUse.push(account);
  }
  return inUse;
}
