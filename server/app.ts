import { Hono } from 'hono';
import type { AppEnv, AppServices } from './app-env.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { publicFollowUpRoutes } from './comments/follow-up-page.ts';
import { healthRoutes } from './health/health.routes.ts';
import { kioskRoutes } from './kiosks/kiosk.routes.ts';
import { receiptIntegrationRoutes } from './dossiers/dossier.routes.ts';
import { officialsApiRoutes } from './officials-api.ts';
import { openApiDocument } from './openapi/openapi.ts';
import { requestId, securityHeaders } from './response-headers.ts';
import { responseRoutes } from './responses/response.routes.ts';
import { deskSurveyRoutes, dossierSurveyRoutes } from './survey/survey.routes.ts';
import { webAppRoutes } from './web-app/web-app.routes.ts';

/** The public API, `/api/v1/public`: what citizens' pages and kiosk tablets call. */
export const publicApiRoutes = new Hono<AppEnv>()
  .route('/desks', deskSurveyRoutes) // survey/
  .route('/dossiers', dossierSurveyRoutes) // survey/
  .route('/responses', responseRoutes) // responses/
  .route('/kiosk', kioskRoutes) // kiosks/
  .route('/follow-ups', publicFollowUpRoutes); // comments/

/** Assembles the whole HTTP application around its services. */
export function createApp(services: AppServices): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId);
  app.use(securityHeaders({ https: services.config.publicBaseUrl.startsWith('https://') }));
  app.use(async (c, next) => {
    c.set('db', services.db);
    c.set('config', services.config);
    c.set('logger', services.logger);
    c.set('ratingWriter', services.ratingWriter);
    c.set('exports', services.exports);
    c.set('planReaders', services.planReaders);
    await next();
  });

  app.route('/', healthRoutes);
  app.route('/api/v1/public', publicApiRoutes);
  app.route('/api/v1/officials', officialsApiRoutes);
  app.route('/api/v1/desk', receiptIntegrationRoutes); // dossiers/
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(services.config.publicBaseUrl)));
  app.route('/', webAppRoutes);

  app.onError(errorHandler(services.logger));
  app.notFound(notFoundHandler);
  return app;
}
