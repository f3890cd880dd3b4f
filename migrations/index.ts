import type { MigrationInterface } from 'typeorm';
import { Platform1764000000000 } from './1764000000000-platform.js';
import { RelationshipGraph1764000001000 } from './1764000001000-relationship-graph.js';
import { MetricsGoals1764000002000 } from './1764000002000-metrics-goals.js';
import { Roi1764000003000 } from './1764000003000-roi.js';
import { Teams1764000011000 } from './1764000011000-teams.js';
import { Hardening1764000800000 } from './1764000800000-hardening.js';
import { HistoryIdentities1764001200000 } from './1764001200000-history-identities.js';
import { DuplicateCandidates1764001201000 } from './1764001201000-duplicate-candidates.js';
import { WidgetTokens1764001500000 } from './1764001500000-widget-tokens.js';
import { Imports1764001300000 } from './1764001300000-imports.js';
import { DataVersions1764001600000 } from './1764001600000-data-versions.js';
import { Webhooks1764001400000 } from './1764001400000-webhooks.js';
import { ImportChunks1764001730000 } from './1764001730000-import-chunks.js';

/** Every migration, oldest first. A new one is appended here. */
export const migrations: Array<new () => MigrationInterface> = [
  Platform1764000000000,
  RelationshipGraph1764000001000,
  MetricsGoals1764000002000,
  Roi1764000003000,
  Teams1764000011000,
  Hardening1764000800000,
  HistoryIdentities1764001200000,
  DuplicateCandidates1764001201000,
  Imports1764001300000,
  WidgetTokens1764001500000,
  Webhooks1764001400000,
  DataVersions1764001600000,
  ImportChunks1764001730000,
];
