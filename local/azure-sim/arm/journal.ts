/** One entry per ARM / data-plane request the simulator served (operation-status polls excluded). */
export interface Operation {
  /** e.g. "virtualMachines.createOrUpdate" */
  op: string;
  method: string;
  resourceId: string;
  /** ISO time the request arrived. */
  start: string;
  /** ISO time the response was sent, or — for a long-running operation — when it reached a terminal state. */
  end?: string;
  /** InProgress | Succeeded | Failed | Canceled */
  status: string;
  /** HTTP status of the (initial) response. */
  httpStatus?: number;
  /** ARM error code when it failed. */
  code?: string;
}

export class Journal {
  private entries: Operation[] = [];

  begin(op: string, method: string, resourceId: string): Operation {
    const entry: Operation = { op, method, resourceId, start: new Date().toISOString(), status: 'InProgress' };
    this.entries.push(entry);
    return entry;
  }

  finish(entry: Operation, status: 'Succeeded' | 'Failed' | 'Canceled', code?: string): void {
    entry.end = new Date().toISOString();
    entry.status = status;
    if (code) entry.code = code;
  }

  list(): Operation[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
