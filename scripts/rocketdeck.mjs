#!/usr/bin/env node
// `npx rocketdeck <command>`: loads the TypeScript entry through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
