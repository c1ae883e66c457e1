#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() maps every error to a one-line message; this is the last resort.
    process.stderr.write(`rampart: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
