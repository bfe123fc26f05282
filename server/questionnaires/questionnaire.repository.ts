import type { Db } from '../db/database.ts';
import type { ElementCode, Question, Questionnaire, Reason } from './questionnaire.table.ts';

export interface QuestionnaireDefinition {
  questionnaire: Questionnaire;
  /** In display order; exactly one has role `overall`. */
  questions: Question[];
  reasons: Reason[];
  overall: Question;
  questionByCode: Map<string, Question>;
  reasonByCode: Map<string, Reason>;
  elements: { code: ElementCode; position: number; name_vi: string; name_en: string }[];
}

// Published versions never change, so a loaded definition stays valid for the life of
// the connection; cached per database handle because ids differ between databases.
const cache = new WeakMap<Db, Map<string, Promise<QuestionnaireDefinition | undefined>>>();

/** Loads a questionnaire version with its questions and reasons; undefined when unknown. */
export function findQuestionnaire(db: Db, id: string): Promise<QuestionnaireDefinition | undefined> {
  let byId = cache.get(db);
  if (!byId) cache.set(db, (byId = new Map()));
  let definition = byId.get(id);
  if (!definition) {
    definition = loadQuestionnaire(db, id);
    byId.set(id, definition);
    definition.then(
      (found) => found ?? byId.delete(id),
      () => byId.delete(id),
    );
  }
  return definition;
}

async function loadQuestionnaire(db: Db, id: string): Promise<QuestionnaireDefinition | undefined> {
  const questionnaire = await db.selectFrom('questionnaire').selectAll().where('id', '=', id).executeTakeFirst();
  if (!questionnaire) return undefined;
  const [questions, reasons, elements] = await Promise.all([
    db.selectFrom('question').selectAll().where('questionnaire_id', '=', id).orderBy('position').execute(),
    db.selectFrom('reason').selectAll().where('questionnaire_id', '=', id).orderBy('position').execute(),
    db.selectFrom('sipas_element').selectAll().orderBy('position').execute(),
  ]);
  const overall = questions.find((question) => question.role === 'overall');
  if (!overall) throw new Error(`questionnaire ${id} has no overall question`);
  return {
    questionnaire,
    questions,
    reasons,
    overall,
    questionByCode: new Map(questions.map((question) => [question.code, question])),
    reasonByCode: new Map(reasons.map((reason) => [reason.code, reason])),
    elements,
  };
}

/** The newest published, unretired version of a questionnaire family (`quick`, `full`). */
export async function currentQuestionnaire(db: Db, code: string): Promise<QuestionnaireDefinition | undefined> {
  const latest = await db
    .selectFrom('questionnaire')
    .select('id')
    .where('code', '=', code)
    .where('retired_at', 'is', null)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  return latest ? findQuestionnaire(db, latest.id) : undefined;
}
