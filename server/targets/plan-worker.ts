import { parentPort } from 'node:worker_threads';
import { docxText, PlanDocumentError } from './docx-text.ts';
import { extractTargets, type PlanExtraction } from './plan-extraction.ts';

/**
 * A worker thread that reads one plan: the text of a Word document, then its targets.
 * It runs off the server's event loop, so /healthz and every other request are answered
 * while it works, and the server can stop it when it runs past its time budget.
 */

/** The longest plan text read, as for pasted text; a Word document may not unpack to more. */
export const PLAN_TEXT_LIMIT = 2_000_000;

export type PlanJob = { kind: 'text'; text: string } | { kind: 'docx'; bytes: Uint8Array };

export type PlanJobResult =
  | { ok: true; extraction: PlanExtraction }
  | { ok: false; code: 'plan_too_large' | 'unreadable_document'; message: string };

export function readPlan(job: PlanJob): PlanJobResult {
  try {
    const text = job.kind === 'text' ? job.text : docxText(job.bytes);
    if (text.length > PLAN_TEXT_LIMIT) {
      return {
        ok: false,
        code: 'plan_too_large',
        message: `The plan's text has ${text.length} characters; at most ${PLAN_TEXT_LIMIT} are read`,
      };
    }
    return { ok: true, extraction: extractTargets(text) };
  } catch (error) {
    if (error instanceof PlanDocumentError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

parentPort?.once('message', (job: PlanJob) => parentPort!.postMessage(readPlan(job)));
