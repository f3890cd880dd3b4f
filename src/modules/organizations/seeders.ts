import type { TenantDb } from '../../db/tenant.js';
import { seedDefaultRoiModel } from '../roi/roi.seeder.js';

/** Work done inside sign-up's transaction, tenant-scoped, to give a new organization its defaults. */
export type OrganizationSeeder = (db: TenantDb, userId: string) => Promise<void>;

/** The seeders every new organization runs, in order; a feature that needs defaults adds one. */
export const organizationSeeders: OrganizationSeeder[] = [seedDefaultRoiModel];
