// Copies the files tsc does not emit (SQL migrations, static web assets) from src/ to dist/, keeping their paths.
import { cpSync, existsSync } from 'node:fs';

const ASSETS = /\.(sql|html|css|js|svg|png|ico|woff2)$/;

if (existsSync('src')) {
  cpSync('src', 'dist', {
    recursive: true,
    filter: (source) => !source.endsWith('.ts') && (!/\.\w+$/.test(source) || ASSETS.test(source)),
  });
}
