import type { AppEnv } from '../app-env.ts';
import type { Official } from '../officials/official.table.ts';

/** Handlers behind the session middleware know who is asking. */
export interface OfficialsEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { official: Official; sessionId: string };
}
