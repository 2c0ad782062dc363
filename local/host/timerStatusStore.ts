import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { ScheduleStatus, ScheduleStatusStore } from './timers';

/**
 * Timer schedule status in blob storage where the WebJobs host keeps it:
 * azure-webjobs-hosts/timers/<hostId>/Host.Functions.<name>/status.
 */
export class BlobScheduleStatusStore implements ScheduleStatusStore {
  readonly #container: ContainerClient;
  #ready?: Promise<unknown>;

  constructor(
    connectionString: string,
    private readonly hostId: string,
  ) {
    this.#container =
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient('azure-webjobs-hosts');
  }

  #blob(functionName: string) {
    return this.#container.getBlockBlobClient(`timers/${this.hostId}/Host.Functions.${functionName}/status`);
  }

  async read(functionName: string): Promise<ScheduleStatus | undefined> {
    const blob = this.#blob(functionName);
    try {
      const buffer = await blob.downloadToBuffer();
      return JSON.parse(buffer.toString('utf8')) as ScheduleStatus;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async write(functionName: string, status: ScheduleStatus): Promise<void> {
    this.#ready ??= this.#container.createIfNotExists();
    await this.#ready;
    const body = JSON.stringify(status);
    await this.#blob(functionName).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }
}

/** A host id like the host derives one from the site name: lowercase letters, digits and dashes, at most 32 chars. */
export function toHostId(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return id || 'local-host';
}
