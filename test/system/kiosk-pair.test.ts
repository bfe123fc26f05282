import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { recordPublicAddress } from '../../server/settings/public-address.ts';
import { createTestDatabase } from '../database.ts';
import { makeDesk } from '../factories.ts';

const execFileAsync = promisify(execFile);
const { db, url } = await createTestDatabase();

/** `npm run kiosk:pair -- …` against the test file's database, with the given environment. */
async function pair(args: string[], env: Record<string, string>) {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'server/cli/pair-kiosk.ts', ...args], {
    env: { ...process.env, DATABASE_URL: url, PUBLIC_BASE_URL: '', PORT: '', LOG_LEVEL: 'warn', ...env },
  });
  return stdout;
}

describe('npm run kiosk:pair', () => {
  it('prints the link on the address the running platform serves, not a default port', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    // The platform was started in another shell with PORT=8123; this shell sets nothing.
    await recordPublicAddress(db, 'http://192.168.1.20:8123');
    const printed = await pair([desk.code.toUpperCase(), 'Máy', 'tính', 'bảng'], {});
    expect(printed).toMatch(new RegExp(`http://192\\.168\\.1\\.20:8123/kiosk/${desk.code}#key=[A-Za-z0-9_-]{43}`));
    expect(printed).not.toContain(':3000');
    const device = await db
      .selectFrom('kiosk_device')
      .select('label')
      .where('desk_id', '=', desk.id)
      .executeTakeFirst();
    expect(device?.label).toBe('Máy tính bảng');
  });

  it('prints the address its own environment sets, when it sets one', async () => {
    const { desk } = await makeDesk(db, { domains: ['land'] });
    await recordPublicAddress(db, 'http://192.168.1.20:8123');
    expect(await pair([desk.code], { PUBLIC_BASE_URL: 'https://hailong.example.gov.vn' })).toContain(
      `https://hailong.example.gov.vn/kiosk/${desk.code}#key=`,
    );
    expect(await pair([desk.code], { PORT: '8450' })).toContain(`http://localhost:8450/kiosk/${desk.code}#key=`);
  });
});
