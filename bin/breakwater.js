#!/usr/bin/env node
// The `breakwater` CLI; the compiled entry lives in dist/ (run `npm run build` first).
require('../dist/client/cli.js')
  .main()
  .then((code) => process.exit(code), () => process.exit(1));
