/**
 * Where reports are kept: blob container `reports` (CONTAINERS.reports) of the app's storage account, one HTML and
 * one JSON blob per report at `<yyyy-mm-dd>/<report id>.html|.json` (so the URL path reads
 * `reports/<yyyy-mm-dd>/…`); the date is the UTC date of the period's end, which the id carries, so a report is
 * read by id without a listing. Saving the same report again overwrites it (a retried timer run is harmless).
 */
import { isNotFound } from '../azure/errors';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { CONTAINERS } from '../names';
import type { HealthReport } from './figures';
import { renderReportHtml } from './html';
import { renderReportJson } from './json';

export type ReportFormat = 'html' | 'json';

/** What a listing shows of a stored report (from the JSON blob's metadata). */
export interface StoredReportInfo {
  id: string;
  /** The date folder, yyyy-mm-dd. */
  date: string;
  from: string;
  to: string;
  generatedAt: string;
  clusters: number;
  html: string;
  json: string;
}

const ID = /^hr-(\d{4})(\d{2})(\d{2})T\d{6}Z-(\d{4})(\d{2})(\d{2})T\d{6}Z(-[a-z0-9-]{1,200})?$/;

/** True for an id made by `reportId` (and nothing else: no path separators, no dots). */
export function isReportId(id: string): boolean {
  return ID.test(id);
}

/** The blob name of a report in its container: `<yyyy-mm-dd>/<id>.<format>`. */
export function reportBlobName(id: string, format: ReportFormat): string {
  const m = ID.exec(id);
  if (!m) throw new Error(`not a report id: ${JSON.stringify(id)}`);
  return `${m[4]}-${m[5]}-${m[6]}/${id}.${format}`;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export class ReportStore {
  private created: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  /** The store in the account of a storage connection string (AzureWebJobsStorage). */
  static fromConnectionString(connectionString: string): ReportStore {
    return new ReportStore(
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(CONTAINERS.reports),
    );
  }

  private ensure(): Promise<unknown> {
    return (this.created ??= this.container.createIfNotExists().catch((err: unknown) => {
      this.created = undefined;
      throw err;
    }));
  }

  /** Renders and stores both formats; returns what a listing will show. */
  async save(report: HealthReport): Promise<StoredReportInfo> {
    await this.ensure();
    const metadata: ReportMetadata = {
      reportid: report.id,
      periodfrom: report.period.from,
      periodto: report.period.to,
      generatedat: report.generatedAt,
      clusters: String(report.clusters.length),
    };
    const bodies: Record<ReportFormat, string> = { html: renderReportHtml(report), json: renderReportJson(report) };
    for (const format of ['html', 'json'] as const) {
      const data = Buffer.from(bodies[format], 'utf8');
      await this.container.getBlockBlobClient(reportBlobName(report.id, format)).uploadData(data, {
        blobHTTPHeaders: { blobContentType: CONTENT_TYPES[format] },
        metadata,
      });
    }
    return info(metadata);
  }

  /** Every stored report, newest period end first (then by id). */
  async list(): Promise<StoredReportInfo[]> {
    await this.ensure();
    const out: StoredReportInfo[] = [];
    for await (const blob of this.container.listBlobsFlat({ includeMetadata: true })) {
      if (!blob.name.endsWith('.json')) continue;
      const metadata = reportMetadata(blob.metadata);
      if (metadata) out.push(info(metadata));
    }
    return out.sort((a, b) => b.to.localeCompare(a.to) || a.id.localeCompare(b.id));
  }

  /** One report in one format; null when there is none. Throws on an id `reportId` cannot have made. */
  async read(id: string, format: ReportFormat): Promise<string | null> {
    const name = reportBlobName(id, format);
    await this.ensure();
    try {
      const buffer = await this.container.getBlockBlobClient(name).downloadToBuffer();
      return buffer.toString('utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}

/** The metadata `save` puts on both blobs of a report (blob metadata names are lower-case). */
type ReportMetadata = {
  reportid: string;
  periodfrom: string;
  periodto: string;
  generatedat: string;
  clusters: string;
};

/** A blob's metadata as a report's, or undefined when it is not one (no report id, or a field missing). */
function reportMetadata(m: Record<string, string> | undefined): ReportMetadata | undefined {
  if (!m?.reportid) return undefined;
  const { reportid, periodfrom, periodto, generatedat, clusters } = m;
  if (periodfrom === undefined || periodto === undefined || generatedat === undefined || clusters === undefined)
    return undefined;
  return { reportid, periodfrom, periodto, generatedat, clusters };
}

function info(m: ReportMetadata): StoredReportInfo {
  const id = m.reportid;
  return {
    id,
    date: reportBlobName(id, 'json').slice(0, 10),
    from: m.periodfrom,
    to: m.periodto,
    generatedAt: m.generatedat,
    clusters: Number(m.clusters),
    html: reportBlobName(id, 'html'),
    json: reportBlobName(id, 'json'),
  };
}
