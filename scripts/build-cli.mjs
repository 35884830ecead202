/* global console, process */
/**
 * Bundles the built CLI (dist/src/cli/main.js) into dist/src/cli/bundle.js, which the `orchestra`
 * command (dist/src/cli/orchestra.js) runs with V8's code cache for its short commands, and makes
 * that cache by running `orchestra --version` once. Run by `npm run build`, after tsc.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { builderKey, currentRecord, recordInputs, root, sha } from './build-inputs.mjs';

const dir = path.join(root, 'dist/src/cli');
const bundle = path.join(dir, 'bundle.js');
/** What the bundle was made of and by: it is kept while that holds (the build is incremental). */
const made = path.join(dir, 'bundle.inputs.json');
const require = createRequire(import.meta.url);
const { LONG_RUNNING_IMPORTS } = require(path.join(dir, 'long-running.js'));

/** This script, esbuild and Node: a change to any of them makes another bundle. */
const key = await builderKey(import.meta.url);

/**
 * What only the long-running commands import: never run from the bundle (orchestra.ts sends
 * those commands to main.js), so in it a stub that says so, and the worker, Express and the
 * bundler stay out.
 */
const leaveOut = {
  name: 'long-running-commands',
  setup(b) {
    // tsc makes each `await import()` a require() inside a promise: matched by who asks, and what.
    b.onResolve({ filter: /^\./ }, (args) => {
      if (path.relative(dir, args.importer) !== path.join('commands', path.basename(args.importer)))
        return undefined;
      const target = path.relative(path.join(root, 'dist'), path.resolve(args.resolveDir, args.path));
      return LONG_RUNNING_IMPORTS.includes(target) ? { path: target, namespace: 'long-running' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'long-running' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} runs from dist/src/cli/main.js, not the bundle`)});`,
      loader: 'js',
    }));
  },
};

/**
 * @temporalio/proto reflects every Temporal protobuf, and each start builds it all (~75 ms).
 * A client never meets two of its namespaces: the worker's (coresdk) and Temporal Cloud's
 * operations (temporal.api.cloud). The bundle's copy leaves them out, and is checked to still
 * resolve every type it names; as a JSON string, which V8 reads faster than an object literal.
 */
const clientProtos = {
  name: 'client-protos',
  setup(b) {
    const jsonModule = require.resolve('@temporalio/proto/protos/json-module.js');
    b.onLoad({ filter: /[\\/]@temporalio[\\/]proto[\\/]protos[\\/]json-module\.js$/ }, async (args) => {
      if (args.path !== jsonModule) return undefined;
      const source = await readFile(args.path, 'utf8');
      // The generated module hands its JSON to Root#addJSON: caught here instead.
      let json;
      const capture = {
        roots: {},
        Root: class {
          addJSON = (j) => ((json = j), this);
        },
      };
      new Function('require', 'module', 'exports', source)(() => capture, { exports: {} }, {});
      delete json.coresdk;
      delete json.temporal.nested.api.nested.cloud;
      // Throws on a type it lost.
      createRequire(jsonModule)('protobufjs/light').Root.fromJSON(json).resolveAll();
      return {
        loader: 'js',
        resolveDir: path.dirname(args.path),
        contents:
          `var $protobuf = require("protobufjs/light");\n` +
          `var $root = ($protobuf.roots["__temporal"] || ($protobuf.roots["__temporal"] = new $protobuf.Root()))` +
          `.addJSON(JSON.parse(${JSON.stringify(JSON.stringify(json))}));\nmodule.exports = $root;\n`,
      };
    });
  },
};

/** Current: made by the same key from unchanged inputs, and its code cache made. */
async function upToDate() {
  const last = await currentRecord(made, key, [bundle]);
  return last !== undefined && existsSync(path.join(dir, `bundle.${last.hash}.cache`));
}

const started = Date.now();
if (await upToDate()) process.exit(0);
for (const file of await readdir(dir)) if (/^bundle\..*cache/.test(file)) await rm(path.join(dir, file));
const { metafile, outputFiles } = await build({
  entryPoints: [path.join(dir, 'main.js')],
  absWorkingDir: root,
  outfile: bundle,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // 6.4 MB to 3.8: each start reads and hashes less, about 7% of a start's CPU. Names are kept,
  // so that a stack trace still says which function.
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [leaveOut, clientProtos],
  metafile: true,
  logLevel: 'warning',
  // The OpenTelemetry plugin finds its workflow interceptors with require.resolve, which a bundle
  // cannot answer: with tracing on, orchestra.js runs main.js instead.
  logOverride: { 'require-resolve-not-external': 'silent' },
});
const code = outputFiles[0].text.replace(/^#!.*\n/, '');
const hash = sha(code).slice(0, 16);
// orchestra.ts names the code cache by this line (V8 checks a cache against the source's length only).
await writeFile(bundle, `// cache-key ${hash}\n${code}`);
// long-running.js is read here, not bundled: which imports the bundle leaves out.
await recordInputs(made, key, metafile, { hash }, [path.relative(root, path.join(dir, 'long-running.js'))]);
// The cache holds what a run compiled: --version runs every module's top level. Not traced, which runs main.js.
const env = { ...process.env };
delete env.ORCHESTRA_OTEL_ENDPOINT;
execFileSync(process.execPath, [path.join(dir, 'orchestra.js'), '--version'], { stdio: 'ignore', env });
if (!existsSync(path.join(dir, `bundle.${hash}.cache`)))
  throw new Error('no code cache was made for the CLI bundle');
console.error(`cli: dist/src/cli/bundle.js and its code cache in ${Date.now() - started} ms`);
