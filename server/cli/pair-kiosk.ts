import { kioskPairingUrl, pairKioskDevice } from '../kiosks/kiosk-device.repository.ts';
import { publicAddressForTask } from '../settings/public-address.ts';
import { withDatabase } from './with-database.ts';

const [typedCode, ...labelWords] = process.argv.slice(2);
if (!typedCode) {
  console.error('Usage: npm run kiosk:pair -- <desk code> [label]');
  process.exit(2);
}
// Desk codes are case-insensitive: a code copied from a poster in capitals is the same desk.
const deskCode = typedCode.trim().toLowerCase();

await withDatabase(async (db, { config }) => {
  const desk = await db.selectFrom('desk').select(['id', 'name']).where('code', '=', deskCode).executeTakeFirst();
  if (!desk) throw new Error(`No desk has the code "${typedCode}"`);
  const { key } = await pairKioskDevice(db, { deskId: desk.id, label: labelWords.join(' ') });
  const address = await publicAddressForTask(db, config, process.env);
  console.log(`Paired a tablet with ${desk.name}. Open this link once on the tablet (it is shown only now):`);
  console.log(`  ${kioskPairingUrl(address, deskCode, key)}`);
});
