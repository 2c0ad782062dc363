import type { LocalSettings } from './config';

/** Values that are too plain to be secrets and would garble logs if masked (e.g. "node", "true", "8080"). */
function looksSecret(value: string): boolean {
  return value.length >= 8 && !/^(true|false|\d+)$/i.test(value);
}

/**
 * process.env entries set by running hosts, per variable: the value before any host set it and one layer per host.
 * A host that stops removes its layer; the variable then shows the newest remaining layer or the original value,
 * so hosts may stop in any order without leaking or clobbering each other's settings.
 */
const envLayers = new Map<string, { original: string | undefined; layers: { owner: object; value: string }[] }>();

function pushEnv(owner: object, name: string, value: string): void {
  let entry = envLayers.get(name);
  if (!entry) {
    entry = { original: process.env[name], layers: [] };
    envLayers.set(name, entry);
  }
  entry.layers.push({ owner, value });
  process.env[name] = value;
}

function popEnv(owner: object, name: string): void {
  const entry = envLayers.get(name);
  if (!entry) return;
  entry.layers = entry.layers.filter((l) => l.owner !== owner);
  const top = entry.layers.at(-1);
  if (top) {
    process.env[name] = top.value;
    return;
  }
  envLayers.delete(name);
  if (entry.original === undefined) delete process.env[name];
  else process.env[name] = entry.original;
}

/**
 * The app settings of one host: local.settings.json Values applied to process.env the way `func` does (a variable
 * already present in the environment wins), then explicit overrides (tests). restore() withdraws them.
 */
export class AppSettings {
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly connectionStrings: Readonly<Record<string, string>>;
  /** Names of local settings skipped because the environment already defines them. */
  readonly shadowed: string[] = [];
  readonly #applied: string[] = [];
  readonly #secrets: string[] = [];

  constructor(local: LocalSettings, overrides: Record<string, string> = {}) {
    const applied: Record<string, string> = {};
    for (const [name, value] of Object.entries(local.values)) {
      // "The environment" is what was there before any host applied its settings.
      const external = envLayers.has(name) ? envLayers.get(name)!.original : process.env[name];
      if (external !== undefined && external !== value) this.shadowed.push(name);
      else applied[name] = value;
    }
    Object.assign(applied, overrides);
    for (const [name, value] of Object.entries(applied)) {
      pushEnv(this, name, value);
      this.#applied.push(name);
    }
    for (const value of [
      ...Object.values(local.values),
      ...Object.values(overrides),
      ...Object.values(local.connectionStrings),
    ]) {
      if (looksSecret(value)) this.#secrets.push(value);
    }
    this.values = { ...process.env };
    this.connectionStrings = local.connectionStrings;
  }

  get(name: string): string | undefined {
    return this.values[name] ?? this.values[name.replace(/:/g, '__')];
  }

  /** Values to mask in every log line. */
  secretValues(): string[] {
    return [...this.#secrets];
  }

  /**
   * Connection string for a binding's `connection` setting, resolved like the host: the setting itself,
   * `AzureWebJobs<name>`, or ConnectionStrings; default AzureWebJobsStorage.
   */
  storageConnectionString(connection?: string): string {
    const name = connection || 'AzureWebJobsStorage';
    const value = this.get(name) ?? this.get(`AzureWebJobs${name}`) ?? this.connectionStrings[name];
    if (!value) throw new Error(`Storage connection setting "${name}" is not defined in the app settings`);
    return value;
  }

  restore(): void {
    for (const name of this.#applied.splice(0)) popEnv(this, name);
  }
}

/** Resolves a binding property written as `%SettingName%` (the host's app-setting expression); other text is kept. */
export function resolveSettingExpression(raw: string, resolveSetting: (name: string) => string | undefined): string {
  const m = /^%(.+)%$/.exec(raw);
  return m ? (resolveSetting(m[1]) ?? '') : raw;
}
