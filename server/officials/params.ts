import { z } from 'zod';

/** A database id in a path: a positive 32-bit integer, else 400 before any query. */
export const idParamSchema = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export const dateSchema = z.iso.date({ error: 'must be a date (YYYY-MM-DD)' });
