#!/usr/bin/env node
// The `zerograd` command: registers tsx so Node runs the TypeScript sources directly, then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: worker threads of the CPU backend or a GPU device must not keep the process alive.
// (Writes to pipes and files are synchronous on Linux and macOS, so nothing printed is lost.)
process.exit(code);
