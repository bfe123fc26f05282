import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { declaringSize, docxOf, paragraphsXml } from '../../test/word-documents.ts';
import { AppError } from '../errors.ts';
import { DOCUMENT_PART_LIMIT } from './docx-text.ts';
import { PlanReaders } from './plan-readers.ts';

const PLAN = 'KẾ HOẠCH Cải cách hành chính năm 2027. Mức độ hài lòng của người dân đạt tối thiểu 91%.';
/** A plan text at the limit of what is read, which takes a worker a second or more. */
const LARGE_PLAN = PLAN.repeat(Math.floor(2_000_000 / PLAN.length));

/** The AppError a promise is rejected with. */
async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('PlanReaders', () => {
  it('reads pasted text and Word documents in a worker thread', async () => {
    const readers = new PlanReaders();
    const expected = [expect.objectContaining({ metric: 'tthc', percent: 91, year: 2027 })];
    expect((await readers.read({ kind: 'text', text: PLAN })).targets).toEqual(expected);
    const docx = await docxOf(paragraphsXml(['KẾ HOẠCH Cải cách hành chính năm 2027', PLAN]));
    expect((await readers.read({ kind: 'docx', bytes: docx })).targets).toEqual(expected);
  });

  it('answers 413 plan_too_large for a document or a text past the limit, 422 for a broken document', async () => {
    const readers = new PlanReaders();
    const declaredTooLarge = declaringSize(await docxOf(paragraphsXml([PLAN])), DOCUMENT_PART_LIMIT + 1);
    const tooLarge = await rejection(readers.read({ kind: 'docx', bytes: declaredTooLarge }));
    expect([tooLarge.status, tooLarge.code]).toEqual([413, 'plan_too_large']);
    const tooLong = await rejection(readers.read({ kind: 'text', text: 'x'.repeat(2_000_001) }));
    expect([tooLong.status, tooLong.code]).toEqual([413, 'plan_too_large']);
    const broken = await rejection(readers.read({ kind: 'docx', bytes: new TextEncoder().encode('PK not a zip') }));
    expect([broken.status, broken.code]).toEqual([422, 'unreadable_document']);
  });

  it('answers 413 plan_too_large when reading a plan needs more memory than a worker may take', async () => {
    const readers = new PlanReaders({ heapMb: 8 });
    const error = await rejection(readers.read({ kind: 'text', text: LARGE_PLAN }));
    expect([error.status, error.code]).toEqual([413, 'plan_too_large']);
  });

  it('stops a plan that runs past its time budget and answers 503 plan_extraction_timeout', async () => {
    // Starting a worker alone takes longer than a budget of one millisecond.
    const readers = new PlanReaders({ budgetMs: 1 });
    const ended = once(readers, 'end');
    const error = await rejection(readers.read({ kind: 'text', text: LARGE_PLAN }));
    expect([error.status, error.code, error.headers?.['Retry-After']]).toEqual([503, 'plan_extraction_timeout', '1']);
    await ended;
  });

  it('reads at most `concurrency` plans at once, queues a few and refuses more with 503 plan_extraction_busy', async () => {
    const readers = new PlanReaders({ concurrency: 1, queue: 1 });
    const events: string[] = [];
    readers.on('start', () => events.push('start'));
    readers.on('end', () => events.push('end'));
    const first = readers.read({ kind: 'text', text: LARGE_PLAN }).then(() => events.push('first read'));
    const second = readers.read({ kind: 'text', text: PLAN }).then(() => events.push('second read'));
    const busy = await rejection(readers.read({ kind: 'text', text: PLAN }));
    expect([busy.status, busy.code]).toEqual([503, 'plan_extraction_busy']);
    await Promise.all([first, second]);
    // The queued plan started only after the first had ended, and both were read.
    expect(events.filter((event) => event === 'start' || event === 'end')).toEqual(['start', 'end', 'start', 'end']);
    expect(events.filter((event) => event.endsWith('read'))).toEqual(['first read', 'second read']);
  });

  it('stops its workers when closed', async () => {
    const readers = new PlanReaders();
    const started = once(readers, 'start');
    const reading = rejection(readers.read({ kind: 'text', text: LARGE_PLAN }));
    await started;
    await readers.close();
    expect((await reading).code).toBe('shutting_down');
    expect((await rejection(readers.read({ kind: 'text', text: PLAN }))).code).toBe('shutting_down');
  });

  it('does not keep the process alive while a plan is being read', async () => {
    const module = fileURLToPath(new URL('./plan-readers.ts', import.meta.url));
    const script = `
      import { PlanReaders } from ${JSON.stringify(module)};
      const readers = new PlanReaders();
      readers.on('start', () => console.log('started'));
      readers.read({ kind: 'text', text: 'hài lòng đạt 90%. '.repeat(110000) }).then(() => console.log('finished'));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    // The script's last line ran, a worker started, and the process ended without waiting for it.
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'started' });
  });
});
