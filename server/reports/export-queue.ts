import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { exportCsv, exportDocument, exportWorkbook, type ExportTable } from './export.ts';
import type { Period } from './periods.ts';

export interface ExportRequest {
  officialId: number;
  unitId: number;
  period: Period;
  /** `docx`: the periodic report document (`document.ts`). */
  format: 'xlsx' | 'csv' | 'docx';
  /** For CSV, which table; the workbook holds them all. */
  table: ExportTable;
}

export interface ExportQueueOptions {
  /** Exports built at once by this process; the others wait their turn. */
  concurrency?: number;
  /** Exports one official may have under way at once, across processes. */
  perOfficial?: number;
}

// A job left 'running' by a process that stopped does not hold its official back for ever.
const STALE_AFTER_MS = 10 * 60_000;

/**
 * Report exports, built in the background of this process one (or a few) at a time, so
 * that however many an official starts, other requests are not starved. Each writes its
 * progress and then its file to the database, so that any server process can report on
 * it and serve it. `close()` waits for the exports under way.
 */
export class ExportQueue {
  readonly #db: Db;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #perOfficial: number;
  readonly #waiting: (ExportRequest & { id: string })[] = [];
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(db: Db, logger: Logger, options: ExportQueueOptions = {}) {
    this.#db = db;
    this.#logger = logger;
    this.#concurrency = options.concurrency ?? 1;
    this.#perOfficial = options.perOfficial ?? 2;
  }

  /** Records the export and queues it; refuses once the official has enough under way. */
  async start(request: ExportRequest): Promise<string> {
    if (this.#closed) throw new AppError('shutting_down', { headers: { 'Retry-After': '2' } });
    const { count } = await this.#db
      .selectFrom('report_export')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('official_id', '=', request.officialId)
      .where('status', '=', 'running')
      .where('created_at', '>', new Date(Date.now() - STALE_AFTER_MS))
      .executeTakeFirstOrThrow();
    if (Number(count) >= this.#perOfficial) {
      throw new AppError('too_many_requests', {
        message: `At most ${this.#perOfficial} exports may be under way at once; wait for one to finish`,
        headers: { 'Retry-After': '5' },
      });
    }
    const job = await this.#db
      .insertInto('report_export')
      .values({
        official_id: request.officialId,
        unit_id: request.unitId,
        period: request.period.key,
        format: request.format,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    this.#waiting.push({ ...request, id: job.id });
    this.#next();
    return job.id;
  }

  /** Takes no more exports and resolves once those under way are written; queued ones are marked failed. */
  async close(): Promise<void> {
    this.#closed = true;
    const abandoned = this.#waiting.splice(0).map((job) => job.id);
    if (abandoned.length > 0) {
      await this.#db
        .updateTable('report_export')
        .set({ status: 'failed', finished_at: new Date() })
        .where('id', 'in', abandoned)
        .execute()
        .catch(() => {});
    }
    await Promise.all(this.#running);
  }

  #next(): void {
    while (this.#running.size < this.#concurrency && this.#waiting.length > 0) {
      const job = this.#waiting.shift()!;
      const running = this.#build(job).finally(() => {
        this.#running.delete(running);
        this.#next();
      });
      this.#running.add(running);
    }
  }

  async #build(job: ExportRequest & { id: string }): Promise<void> {
    const db = this.#db;
    const progress = async (percent: number) => {
      await db.updateTable('report_export').set({ progress: percent }).where('id', '=', job.id).execute();
      // Other requests go first between two tables of a large export.
      await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      const file =
        job.format === 'xlsx'
          ? await exportWorkbook(db, job.unitId, job.period, progress)
          : job.format === 'docx'
            ? await exportDocument(db, job.unitId, job.period, progress)
            : await exportCsv(db, job.unitId, job.period, job.table);
      await db
        .updateTable('report_export')
        .set({
          status: 'done',
          progress: 100,
          filename: file.filename,
          content_type: file.contentType,
          file: file.content,
          finished_at: new Date(),
        })
        .where('id', '=', job.id)
        .execute();
    } catch (error) {
      this.#logger.error({ err: error, exportId: job.id }, 'report export failed');
      await db
        .updateTable('report_export')
        .set({ status: 'failed', finished_at: new Date() })
        .where('id', '=', job.id)
        .execute()
        .catch(() => {});
    }
  }
}
