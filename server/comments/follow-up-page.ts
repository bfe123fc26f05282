import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { validate } from '../validation.ts';
import { formatFollowUpCode } from './follow-up-code.ts';
import type { FollowUpStatus } from './follow-up.repository.ts';
import { lookUpFollowUp, type PublicFollowUp } from './public-follow-up.ts';

/**
 * `/f/<code>`: the page where a citizen reads the unit's answer to their comment. Rendered on
 * the server as plain HTML, without a script, Vietnamese with the English beneath, readable on
 * a small phone. It shows the unit, the status and the unit's public reply: never the comment,
 * the internal note or who handled it.
 */

const STATUS: Record<FollowUpStatus, { vi: string; en: string }> = {
  received: { vi: 'Đã tiếp nhận', en: 'Received' },
  in_progress: { vi: 'Đang xử lý', en: 'Being handled' },
  answered: { vi: 'Đã trả lời', en: 'Answered' },
};

const CSS = `*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1a1a1a;background:#fafafa}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.en{display:block;color:#4a4a4a;font-size:.9em;font-weight:400}
.unit{font-weight:600;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0}
dt{color:#4a4a4a}dd{margin:0;overflow-wrap:anywhere}
.status{font-weight:700}
.reply{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #767676;border-radius:.5rem;padding:.75rem 1rem;margin:0}
.none{color:#4a4a4a}
form{margin-top:2rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
label{display:block;width:100%}
input{font:inherit;min-height:48px;padding:.5rem;border:1px solid #767676;border-radius:.375rem;flex:1 1 12rem;min-width:0}
button{font:inherit;min-height:48px;padding:.5rem 1.25rem;border:0;border-radius:.375rem;background:#0b5cad;color:#fff;font-weight:600}
.note{color:#4a4a4a;font-size:.9rem;margin-top:2rem}`;

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}

const day = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const both = (vi: string, en: string) => `${escape(vi)}<span class="en" lang="en">${escape(en)}</span>`;

function lookupForm(code = ''): string {
  return `<form method="get" action="/f">
<label for="code">${both('Nhập mã theo dõi hoặc mã trên phiếu hẹn', 'Enter your follow-up code or the code on your receipt')}</label>
<input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" value="${escape(code)}">
<button type="submit">Xem · View</button>
</form>`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${escape(title)}</title>
<link rel="stylesheet" href="/f/follow-up.css">
</head>
<body><main>
${body}
<p class="note">${both(
    'Trang này không cho biết ai đã góp ý và không hiển thị nội dung góp ý.',
    'This page does not say who gave the comment and does not show what it said.',
  )}</p>
</main></body>
</html>`;
}

function answerPage(code: string, found: PublicFollowUp): string {
  const status = STATUS[found.status];
  const reply = found.reply
    ? `<p class="reply">${escape(found.reply)}</p>${
        found.repliedOn
          ? `<p>${both(`Trả lời ngày ${day(found.repliedOn)}`, `Answered on ${day(found.repliedOn)}`)}</p>`
          : ''
      }`
    : `<p class="none">${both('Cơ quan chưa trả lời. Vui lòng xem lại sau.', 'The office has not answered yet. Please look again later.')}</p>`;
  return page(
    'Phản hồi góp ý · Reply to your comment',
    `<h1>${both('Phản hồi góp ý của Ông/Bà', 'The reply to your comment')}</h1>
<p class="unit">${escape(found.unit)}</p>
<dl>
<dt>${both('Mã theo dõi', 'Follow-up code')}</dt><dd>${escape(code)}</dd>
<dt>${both('Ngày góp ý', 'Comment made on')}</dt><dd>${day(found.ratedOn)}</dd>
<dt>${both('Tình trạng', 'Status')}</dt><dd class="status">${both(status.vi, status.en)}</dd>
${found.dueOn && found.status !== 'answered' ? `<dt>${both('Hạn trả lời', 'To be answered by')}</dt><dd>${day(found.dueOn)}</dd>` : ''}
</dl>
<h2>${both('Trả lời của cơ quan', 'The office’s reply')}</h2>
${reply}
${lookupForm()}`,
  );
}

function problemPage(error: AppError | null, code: string): string {
  const [vi, en] =
    error?.code === 'too_many_lookups'
      ? [
          'Mạng này đã tra quá nhiều mã không đúng. Vui lòng thử lại sau ít phút.',
          'Too many unknown codes from this network. Please try again in a few minutes.',
        ]
      : error
        ? [
            'Không tìm thấy phản hồi nào với mã này. Vui lòng kiểm tra lại mã.',
            'No reply is kept under this code. Please check the code.',
          ]
        : ['Nhập mã được cho sau khi Ông/Bà góp ý.', 'Enter the code you were given after your comment.'];
  return page(
    'Phản hồi góp ý · Reply to your comment',
    `<h1>${both('Xem phản hồi góp ý', 'See the reply to your comment')}</h1>
<p${error ? ' role="alert"' : ''}>${both(vi, en)}</p>
${lookupForm(code)}`,
  );
}

function send(c: Context<AppEnv>, html: string, status: 200 | 404 | 429) {
  // A code in the address is a key to the reply: not kept by caches, not sent on as referrer.
  c.header('Cache-Control', 'no-store');
  return c.html(html, status);
}

const codeQuerySchema = z.object({ code: z.string().max(64).optional() });

/** `/f`: the citizen's page. */
export const followUpPageRoutes = new Hono<AppEnv>()
  .get('/follow-up.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(CSS);
  })
  .get('/', validate('query', codeQuerySchema), (c) => {
    const typed = c.req.valid('query').code?.trim();
    if (typed) return c.redirect(`/f/${encodeURIComponent(typed)}`, 303);
    return send(c, problemPage(null, ''), 200);
  })
  .get('/:code', async (c) => {
    const typed = c.req.param('code').slice(0, 64);
    try {
      const found = await lookUpFollowUp(c, typed);
      if (!found) return send(c, problemPage(new AppError('follow_up_not_found'), typed), 404);
      const shown = /^[0-9A-Za-z]{12}$/.test(typed.replace(/[\s-]/g, ''))
        ? formatFollowUpCode(typed.replace(/[\s-]/g, '').toUpperCase())
        : typed;
      return send(c, answerPage(shown, found), 200);
    } catch (error) {
      if (error instanceof AppError && error.code === 'too_many_lookups') {
        for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
        return send(c, problemPage(error, typed), 429);
      }
      throw error;
    }
  });

export const followUpCodeParam = z.object({
  code: z.string().max(64).describe('A follow-up code (12 characters, dashes allowed) or a receipt code'),
});

/** `/follow-ups`: the same as the page, for programs: the status and the unit's public reply. */
export const publicFollowUpRoutes = new Hono<AppEnv>().get(
  '/:code',
  validate('param', followUpCodeParam),
  async (c) => {
    const found = await lookUpFollowUp(c, c.req.valid('param').code);
    if (!found) throw new AppError('follow_up_not_found');
    return c.json(found, 200);
  },
);
