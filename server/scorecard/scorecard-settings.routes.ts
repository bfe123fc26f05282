import { Hono } from 'hono';
import { z } from 'zod';
import { assertAccess } from '../auth/access.ts';
import { requireRole } from '../auth/auth.middleware.ts';
import type { OfficialsEnv } from '../auth/official-env.ts';
import type { Db } from '../db/database.ts';
import { idParam } from '../fields.ts';
import { jsonBodyLimit, requireJsonBody, validate } from '../validation.ts';
import { releaseDue } from './release.ts';
import { releasedPeriods } from './scorecard.ts';

export const scorecardSettingSchema = z.strictObject({
  /** Whether the unit's figures are published at `/p/<code>`. */
  publicScorecard: z.boolean(),
  /** The fewest ratings behind any published figure (taking effect at the next release). */
  minRatings: z.int().min(10).max(1000).optional(),
});

async function settingOf(db: Db, unitId: number, baseUrl: string) {
  const unit = await db
    .selectFrom('unit')
    .select(['code', 'public_scorecard', 'scorecard_min_ratings'])
    .where('id', '=', unitId)
    .executeTakeFirstOrThrow();
  return {
    publicScorecard: unit.public_scorecard,
    minRatings: unit.scorecard_min_ratings,
    url: `${baseUrl}/p/${encodeURIComponent(unit.code)}`,
    /** Periods released for the unit, newest first. */
    released: await releasedPeriods(db, unitId),
  };
}

/** `/units/:id/scorecard`: whether a unit publishes its public scorecard (its manager decides). */
export const unitScorecardRoutes = new Hono<OfficialsEnv>()
  .get('/:id/scorecard', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    await assertAccess(c.var.db, c.var.official, 'unit', id);
    return c.json(await settingOf(c.var.db, id, c.var.config.publicBaseUrl), 200);
  })
  .put(
    '/:id/scorecard',
    requireRole('admin', 'manager'),
    validate('param', idParam),
    jsonBodyLimit,
    requireJsonBody,
    validate('json', scorecardSettingSchema),
    async (c) => {
      const { db, official } = c.var;
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await assertAccess(db, official, 'unit', id);
      await db
        .updateTable('unit')
        .set({
          public_scorecard: input.publicScorecard,
          ...(input.minRatings !== undefined ? { scorecard_min_ratings: input.minRatings } : {}),
        })
        .where('id', '=', id)
        .execute();
      // A unit opting in with nobody of its family published yet gets its released quarters now.
      if (input.publicScorecard) await releaseDue(db);
      return c.json(await settingOf(db, id, c.var.config.publicBaseUrl), 200);
    },
  );
