import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { requireSession, sameOriginOnly } from './auth/auth.middleware.ts';
import { sessionRoutes, signInRoutes } from './auth/auth.routes.ts';
import { followUpRoutes } from './comments/follow-up.routes.ts';
import { deskRoutes } from './desks/desk.routes.ts';
import { domainRoutes } from './domains/domain.routes.ts';
import { dossierRoutes } from './dossiers/dossier.routes.ts';
import { deviceRoutes } from './kiosks/device.routes.ts';
import { officialRoutes } from './officials/official.routes.ts';
import { reportRoutes } from './reports/report.routes.ts';
import { targetRoutes } from './targets/target.routes.ts';
import { unitRoutes } from './units/unit.routes.ts';

/**
 * The officials' API. Every route after sign-in is behind the session check, applied
 * here once so that no feature can forget it; scope is checked by each handler.
 */
export const officialsApiRoutes = new Hono<AppEnv>()
  .use(sameOriginOnly)
  .route('/', signInRoutes)
  .use(requireSession)
  .route('/', sessionRoutes)
  .route('/', unitRoutes)
  .route('/', deskRoutes)
  .route('/', deviceRoutes)
  .route('/', dossierRoutes)
  .route('/', domainRoutes)
  .route('/', targetRoutes)
  .route('/', officialRoutes)
  .route('/', followUpRoutes)
  .route('/', reportRoutes);

export type OfficialsApi = typeof officialsApiRoutes;
