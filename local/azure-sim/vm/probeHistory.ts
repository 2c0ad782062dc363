/** Which (ip, port) answered the ILB probe when: a history of state changes, queried for any past instant. */
export class ProbeHistory {
  private readonly changes = new Map<string, { at: number; up: boolean }[]>();

  /** Records the set of endpoints answering from `at` on (endpoints not in the set stop answering). */
  update(answering: Set<string>, at: number): void {
    for (const key of answering) this.set(key, true, at);
    for (const key of this.changes.keys()) if (!answering.has(key)) this.set(key, false, at);
  }

  answered(ip: string, port: number, at: number): boolean {
    const list = this.changes.get(ProbeHistory.key(ip, port));
    if (!list) return false;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].at <= at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && list[found].up;
  }

  /** Change log of one endpoint (for tests and inspection). */
  changesOf(ip: string, port: number): { at: number; up: boolean }[] {
    return [...(this.changes.get(ProbeHistory.key(ip, port)) ?? [])];
  }

  static key(ip: string, port: number): string {
    return `${ip}:${port}`;
  }

  private set(key: string, up: boolean, at: number): void {
    let list = this.changes.get(key);
    if (!list) {
      if (!up) return;
      list = [];
      this.changes.set(key, list);
    }
    const last = list[list.length - 1];
    if (last && last.up === up) return;
    if (last && at < last.at) at = last.at;
    list.push({ at, up });
  }
}
