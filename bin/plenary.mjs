#!/usr/bin/env node
// `npx plenary <command>` in a checkout, or `npm run plenary -- <command>`: the operator's command line.
// The server runs from its TypeScript sources through tsx, and so does this.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
