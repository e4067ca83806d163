// node bench/node_wasi_runner.mjs APP.wasm [ARGS...]
// Runs a WASI preview1 command module under Node's V8 (node:wasi), the way
// `silk run` does: compile, instantiate with the WASI imports, call _start.
// Tiering flags (e.g. --liftoff-only --no-wasm-tier-up) go to node itself:
//   node --liftoff-only --no-wasm-tier-up bench/node_wasi_runner.mjs app.wasm 100
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process, { argv, exit } from 'node:process';

const [, , file, ...args] = argv;
if (!file) {
  console.error('usage: node node_wasi_runner.mjs APP.wasm [ARGS...]');
  exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
// Let node exit on its own: process.exit() while V8 background compile threads
// still run crashed node 20 now and then (SIGSEGV after the output).
process.exitCode = wasi.start(instance);
