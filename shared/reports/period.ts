/**
 * The period of a report: from a request body `{from?, to?}` (POST /api/reports), from query parameters
 * (GET /api/clusters/{sub}/{rg}/report?from&to), or for a scheduled run. Pure; `now` is passed in.
 *
 * Rules: `from` and `to` are ISO-8601 times with a zone (`Z` or ±hh:mm); `to` defaults to now (to the minute),
 * `from` to 24 hours before `to`; `from` must be before `to`, `to` no later than now, and the period at most 31 days.
 */
import { z } from 'zod';
import type { FieldError } from '../spec';
import type { ReportPeriod } from './figures';

export const DEFAULT_REPORT_HOURS = 24;
export const MAX_REPORT_DAYS = 31;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const time = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'expected an ISO-8601 time with a zone, e.g. 2026-11-24T08:00:00Z',
  )
  .refine((s) => {
    const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
    // Date.parse rolls 2026-02-30 over to March: the calendar date must exist as written.
    return !Number.isNaN(Date.parse(s)) && new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d && m >= 1 && m <= 12;
  }, 'not a valid date and time');

const bodySchema = z.strictObject({ from: time.optional(), to: time.optional() });

export type PeriodResult = { ok: true; period: ReportPeriod } | { ok: false; errors: FieldError[] };

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** A report period from `{from?, to?}` (the POST body, or the query parameters as an object). */
export function parsePeriod(input: unknown, now: Date): PeriodResult {
  const parsed = bodySchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        path: i.path.join('.'),
        message:
          i.code === 'unrecognized_keys'
            ? `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}: a report takes only "from" and "to"`
            : i.code === 'invalid_type' && i.path.length === 0
              ? 'expected a JSON object {"from": "<ISO time>", "to": "<ISO time>"}'
              : i.message,
      })),
    };
  }
  const nowMs = now.getTime();
  const to = parsed.data.to !== undefined ? Date.parse(parsed.data.to) : floorMinute(nowMs);
  const from = parsed.data.from !== undefined ? Date.parse(parsed.data.from) : to - DEFAULT_REPORT_HOURS * HOUR;
  const errors: FieldError[] = [];
  if (from >= to) errors.push({ path: 'from', message: '"from" must be before "to"' });
  if (to > nowMs + MINUTE) errors.push({ path: 'to', message: `"to" is in the future (now is ${now.toISOString()})` });
  if (to - from > MAX_REPORT_DAYS * 24 * HOUR)
    errors.push({ path: 'from', message: `a report covers at most ${MAX_REPORT_DAYS} days` });
  if (errors.length) return { ok: false, errors };
  return { ok: true, period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
}

/** The period of a scheduled run at `now`: the `hours` ending at the minute it runs. */
export function scheduledPeriod(now: Date, hours: number): ReportPeriod {
  const to = floorMinute(now.getTime());
  return { from: new Date(to - hours * HOUR).toISOString(), to: new Date(to).toISOString() };
}

/** Whether an Accept header asks for JSON rather than HTML (JSON listed, and not after text/html). */
export function wantsJson(accept: string | null | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((p) => (p.split(';')[0] ?? '').trim().toLowerCase());
  const json = types.findIndex((t) => t === 'application/json');
  const html = types.findIndex((t) => t === 'text/html');
  return json !== -1 && (html === -1 || json < html);
}
