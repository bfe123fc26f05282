import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env.ts';
import { requireSession, sameOriginOnly } from './auth/auth.middleware.ts';
import { alertRoutes, unitAlertRoutes } from './alerts/alert.routes.ts';
import { sessionRoutes, signInRoutes } from './auth/auth.routes.ts';
import { followUpRoutes } from './comments/follow-up.routes.ts';
import { deskRoutes } from './desks/desk.routes.ts';
import { domainRoutes } from './domains/domain.routes.ts';
import { dossierCodeRoutes } from './dossiers/dossier.routes.ts';
import { deskDeviceRoutes, deviceRoutes } from './kiosks/device.routes.ts';
import { officialRoutes } from './officials/official.routes.ts';
import { deskPosterRoutes, unitPosterRoutes } from './posters/poster.routes.ts';
import { dossierVolumeRoutes } from './reports/dossier-volume.routes.ts';
import { reportRoutes } from './reports/report.routes.ts';
import { unitScorecardRoutes } from './scorecard/scorecard-settings.routes.ts';
import { targetRoutes } from './targets/target.routes.ts';
import { unitRoutes } from './units/unit.routes.ts';

/** What officials read is theirs alone: no browser or proxy keeps a copy. */
const noStore = createMiddleware(async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
});

/**
 * The officials' API, `/api/v1/officials`. Every route after sign-in is behind the session
 * check, applied here once so that no feature can forget it; each handler checks access
 * to what it names with `assertAccess` (auth/access.ts). Each URL prefix is listed here
 * with the feature folder that serves it.
 */
export const officialsApiRoutes = new Hono<AppEnv>()
  .use(sameOriginOnly)
  .use(noStore)
  .route('/session', signInRoutes) // auth/
  .use(requireSession)
  .route('/session', sessionRoutes) // auth/
  .route('/units', unitRoutes) // units/
  .route('/units', unitPosterRoutes) // posters/: /units/:id/posters
  .route('/units', dossierVolumeRoutes) // reports/: /units/:id/dossier-volumes
  .route('/units', unitScorecardRoutes) // scorecard/: /units/:id/scorecard
  .route('/units', unitAlertRoutes) // alerts/: /units/:id/alert-settings, /units/:id/webhooks
  .route('/desks', deskRoutes) // desks/
  .route('/desks', deskPosterRoutes) // posters/: /desks/:id/poster
  .route('/desks', deskDeviceRoutes) // kiosks/: /desks/:id/devices, /desks/:id/refused-ratings
  .route('/desks', dossierCodeRoutes) // dossiers/: /desks/:id/dossier-codes
  .route('/devices', deviceRoutes) // kiosks/
  .route('/domains', domainRoutes) // domains/
  .route('/targets', targetRoutes) // targets/
  .route('/users', officialRoutes) // officials/
  .route('/follow-ups', followUpRoutes) // comments/
  .route('/alerts', alertRoutes) // alerts/
  .route('/reports', reportRoutes); // reports/

export type OfficialsApi = typeof officialsApiRoutes;
