import { withDatabase } from './with-database.ts';

await withDatabase(async () => {
  console.log('Database schema is up to date.');
});
