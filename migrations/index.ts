import type { MigrationInterface } from 'typeorm';
import { Platform1764000000000 } from './1764000000000-platform.js';

/** Every migration, oldest first. A new one is appended here. */
export const migrations: Array<new () => MigrationInterface> = [Platform1764000000000];
