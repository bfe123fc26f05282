import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';

/** The ids of domain codes, in the same order; an unknown code is a 422 naming its field. */
export async function domainIdsByCode(db: Db, codes: string[], field: string): Promise<number[]> {
  if (codes.length === 0) return [];
  const rows = await db.selectFrom('domain').select(['id', 'code']).where('code', 'in', codes).execute();
  const problems = codes.flatMap((code, index) =>
    rows.some((row) => row.code === code)
      ? []
      : [
          {
            path: codes.length > 1 ? `${field}.${index}` : field,
            code: 'unknown_domain',
            message: 'is not a known domain',
          },
        ],
  );
  if (problems.length > 0) throw new AppError('unknown_domain', { fields: problems });
  return codes.map((code) => rows.find((row) => row.code === code)!.id);
}
