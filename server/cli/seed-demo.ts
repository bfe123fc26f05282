import { hasDemoData, seedDemo } from '../demo/seed-demo.ts';
import { printDemoSummary } from '../demo/demo-summary.ts';
import { withDatabase } from './with-database.ts';

await withDatabase(async (db, { config }) => {
  if (await hasDemoData(db)) {
    console.log('The demo province is already loaded; nothing to do.');
    return;
  }
  console.log('Loading the demo province and a year of ratings…');
  const summary = await seedDemo(db);
  printDemoSummary(summary, config.publicBaseUrl);
});
