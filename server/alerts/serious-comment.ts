import type { AlertRuleDefinition, Verdict } from './alert-rule.ts';
import { seriousPhrasesIn } from './serious-words.ts';

/**
 * Serious comment: a comment speaks of harassment, bribes or extra demands
 * (serious-words.ts). One alert per comment; it clears when the comment's follow-up is
 * marked answered.
 */
export const seriousComment: AlertRuleDefinition = {
  rule: 'serious_comment',
  async afterComments(context, comments) {
    const settings = await context.settingsOf(comments.map((comment) => comment.unitId));
    const verdicts: Verdict[] = [];
    for (const comment of comments) {
      if (!settings.get(comment.unitId)!.serious_comment) continue;
      const phrases = seriousPhrasesIn(comment.body);
      if (phrases.length === 0) continue;
      const conditionKey = `serious_comment:rating:${comment.responseId}`;
      const quoted = phrases.map((phrase) => `“${phrase}”`).join(', ');
      verdicts.push({
        conditionKey,
        state: 'firing',
        finding: {
          rule: 'serious_comment',
          conditionKey,
          unitId: comment.unitId,
          deskId: comment.deskId,
          responseId: comment.responseId,
          explanation: {
            vi: `Một góp ý của người dân có nội dung nghiêm trọng (${quoted}) cần được xem và trả lời ngay.`,
            en: `A citizen's comment speaks of something serious (${quoted}) and needs reading and an answer now.`,
          },
          link: `/follow-ups?unitId=${comment.unitId}&kind=comment`,
          evidence: { phrases },
        },
      });
    }
    return verdicts;
  },
  async sweep(context, open) {
    const responseIds = open.flatMap((alert) => (alert.response_id === null ? [] : [alert.response_id]));
    if (responseIds.length === 0) return [];
    const answered = new Set(
      (
        await context.db
          .selectFrom('follow_up')
          .select('response_id')
          .where('response_id', 'in', responseIds)
          .where('status', '=', 'answered')
          .execute()
      ).map((row) => row.response_id),
    );
    return open.map((alert) => ({
      conditionKey: alert.condition_key,
      state: alert.response_id !== null && answered.has(alert.response_id) ? 'clear' : 'hold',
    }));
  },
};
