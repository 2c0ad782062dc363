/** The report as JSON: the same data as the HTML page, with a version field. Pure. */
import type { HealthReport } from './figures';

/** Version of the JSON shape; bump on an incompatible change. */
export const REPORT_JSON_VERSION = 1;

export interface HealthReportJson extends HealthReport {
  version: typeof REPORT_JSON_VERSION;
  kind: 'qwk-health-report';
}

export function reportToJson(report: HealthReport): HealthReportJson {
  return { version: REPORT_JSON_VERSION, kind: 'qwk-health-report', ...report };
}

/** Serialised report (pretty-printed: people open these files too). */
export function renderReportJson(report: HealthReport): string {
  return `${JSON.stringify(reportToJson(report), null, 2)}\n`;
}

/** Reads a stored report back; refuses other kinds and versions with a clear error. */
export function parseReportJson(text: string): HealthReportJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not a health report: invalid JSON (${(err as Error).message})`);
  }
  const v = value as Partial<HealthReportJson> | null;
  if (!v || typeof v !== 'object' || v.kind !== 'qwk-health-report')
    throw new Error('not a health report: kind is missing');
  if (v.version !== REPORT_JSON_VERSION) {
    throw new Error(`health report version ${String(v.version)} is not supported (expected ${REPORT_JSON_VERSION})`);
  }
  if (typeof v.id !== 'string' || !Array.isArray(v.clusters) || !Array.isArray(v.fleet)) {
    throw new Error('not a health report: id, clusters or fleet missing');
  }
  return v as HealthReportJson;
}
