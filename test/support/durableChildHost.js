#!/usr/bin/env node
/**
 * Test launcher: runs the local host with the Durable extension in a child process, straight from the TypeScript
 * sources (transpiled on load with the project's typescript package), so a test can SIGKILL it.
 *   node durable-child-host.js <appRoot>   (env AzureWebJobsStorage = connection string)
 * Prints one line `DURABLE_CHILD_READY {"baseUrl":...,"systemKey":...}` once listening.
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};

const root = path.resolve(__dirname, '../..');
const { startHost } = require(path.join(root, 'local/host/index.ts'));
const { createDurableExtension } = require(path.join(root, 'local/host/durable/index.ts'));

startHost({
  appRoot: path.resolve(process.argv[2]),
  port: 0,
  settings: { AzureWebJobsStorage: process.env.AzureWebJobsStorage },
  extensions: [createDurableExtension()],
  console: false,
  logSink: () => undefined,
}).then(
  (host) =>
    process.stdout.write(
      `DURABLE_CHILD_READY ${JSON.stringify({ baseUrl: host.baseUrl, systemKey: host.systemKey })}\n`,
    ),
  (err) => {
    process.stderr.write(`host failed: ${err && err.stack}\n`);
    process.exit(1);
  },
);
