import type { AlertRuleDefinition } from './alert-rule.ts';
import { belowTarget } from './below-target.ts';
import { overdueFollowUp } from './overdue-follow-up.ts';
import { seriousComment } from './serious-comment.ts';
import { silentKiosk } from './silent-kiosk.ts';
import { unhappySpike } from './unhappy-spike.ts';

/** Every rule the evaluator runs; a new rule is one more entry (see `AlertRuleDefinition`). */
export const ALERT_RULES: readonly AlertRuleDefinition[] = [
  belowTarget,
  unhappySpike,
  seriousComment,
  silentKiosk,
  overdueFollowUp,
];
