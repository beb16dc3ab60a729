#!/usr/bin/env node
// Runs the compiled CLI when dist/ exists (published package), else the TypeScript sources through tsx
// (a git checkout), so `npx upshift` works right after `npm ci` without a build step.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli.js');
if (existsSync(compiled) && !process.env.UPSHIFT_FROM_SOURCE) {
  const { main } = await import(pathToFileURL(compiled).href);
  await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(pathToFileURL(join(root, 'src', 'cli.ts')).href);
  await main(process.argv);
}
