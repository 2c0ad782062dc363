import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { glob, isDynamicPattern } from 'tinyglobby';

const CORE_MODULE = '@azure/functions-core';

type RequireFn = (this: unknown, id: string) => unknown;
const moduleProto = Module.prototype as unknown as { require: RequireFn };

/** Stack of core modules; the newest host's module answers `require('@azure/functions-core')`. */
const providers: object[] = [];
let original: RequireFn | undefined;
let proxy: RequireFn | undefined;

/**
 * Makes `require('@azure/functions-core')` return `coreModule` the way the Node worker does (it wraps
 * Module.prototype.require). Returns a function that withdraws it; the hook is removed once no host needs it.
 */
export function provideCoreModule(coreModule: object): () => void {
  if (!proxy) {
    original = moduleProto.require;
    proxy = new Proxy(original, {
      apply(target, thisArg, args: [string]) {
        if (args[0] === CORE_MODULE && providers.length > 0) return providers[providers.length - 1];
        return Reflect.apply(target, thisArg, args);
      },
    });
    moduleProto.require = proxy;
  }
  providers.push(coreModule);
  return () => {
    const i = providers.lastIndexOf(coreModule);
    if (i >= 0) providers.splice(i, 1);
    // Restore only if nobody wrapped require after us (otherwise our proxy stays, falling through).
    if (providers.length === 0 && proxy && moduleProto.require === proxy && original) {
      moduleProto.require = original;
      proxy = undefined;
      original = undefined;
    }
  };
}

/** Packages whose module state belongs to one app instance; each host loads its own copy. */
const PER_APP_PACKAGES = [
  `${path.sep}node_modules${path.sep}@azure${path.sep}functions${path.sep}`,
  `${path.sep}node_modules${path.sep}@azure${path.sep}functions-extensions-base${path.sep}`,
  `${path.sep}node_modules${path.sep}durable-functions${path.sep}`,
];
/** The host's own modules (never reloaded, even when the app root contains them). */
const HOST_DIR = path.resolve(__dirname, '..') + path.sep;

/** Drops the app's modules and the per-app packages from require.cache so that the next load is fresh. */
export function forgetAppModules(appRoot: string): void {
  const root = path.resolve(appRoot) + path.sep;
  const ownModules = root + 'node_modules' + path.sep;
  for (const key of Object.keys(require.cache)) {
    const appFile = key.startsWith(root) && !key.startsWith(ownModules) && !key.startsWith(HOST_DIR);
    if (appFile || PER_APP_PACKAGES.some((p) => key.includes(p))) delete require.cache[key];
  }
}

interface PackageJson {
  main?: string;
  type?: string;
}

function readPackageJson(appRoot: string): PackageJson {
  const file = path.join(appRoot, 'package.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

/** Resolves the entry point pattern (package.json main, may be a glob) to files, like the worker's startApp. */
export async function resolveEntryPoints(appRoot: string, entry?: string): Promise<string[]> {
  const pattern = entry ?? readPackageJson(appRoot).main;
  if (!pattern) throw new Error('package.json has no "main" entry point and none was given');
  const files = (await glob(pattern, { cwd: appRoot, onlyFiles: true, expandDirectories: false })).sort();
  if (files.length === 0) {
    const reason = isDynamicPattern(pattern) ? 'Found zero files matching the supplied pattern' : 'File does not exist';
    throw new Error(`Worker was unable to load entry point "${pattern}": ${reason}`);
  }
  return files.map((f) => path.resolve(appRoot, f));
}

/** Loads the entry point files in order: CommonJS through require, ES modules through import(). */
export async function loadEntryPoints(appRoot: string, files: string[]): Promise<void> {
  const pkg = readPackageJson(appRoot);
  const appRequire = createRequire(path.join(path.resolve(appRoot), 'package.json'));
  for (const file of files) {
    const esm = file.endsWith('.mjs') || (pkg.type === 'module' && !file.endsWith('.cjs'));
    try {
      if (esm) await import(pathToFileURL(file).href);
      else appRequire(file);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const wrapped = new Error(`Worker was unable to load entry point "${path.relative(appRoot, file)}": ${message}`);
      (wrapped as Error & { cause?: unknown }).cause = err;
      throw wrapped;
    }
  }
}
