#!/usr/bin/env node
// Run `npm run build` first: this loads the compiled CLI.
import { vipdMain } from '../dist/src/cli/main.js';

await vipdMain();
