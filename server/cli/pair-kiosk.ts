import { kioskPairingUrl, pairKioskDevice } from '../kiosks/kiosk-device.repository.ts';
import { withDatabase } from './with-database.ts';

const [deskCode, ...labelWords] = process.argv.slice(2);
if (!deskCode) {
  console.error('Usage: npm run kiosk:pair -- <desk code> [label]');
  process.exit(2);
}

await withDatabase(async (db, { config }) => {
  const desk = await db.selectFrom('desk').select(['id', 'name']).where('code', '=', deskCode).executeTakeFirst();
  if (!desk) throw new Error(`No desk has the code "${deskCode}"`);
  const { key } = await pairKioskDevice(db, { deskId: desk.id, label: labelWords.join(' ') });
  console.log(`Paired a tablet with ${desk.name}. Open this link once on the tablet (it is shown only now):`);
  console.log(`  ${kioskPairingUrl(config.publicBaseUrl, deskCode, key)}`);
});
