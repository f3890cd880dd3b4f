import { ApiKey } from '../modules/api-keys/api-key.entity.js';
import { Membership } from '../modules/members/membership.entity.js';
import { User } from '../modules/members/user.entity.js';
import { Organization } from '../modules/organizations/organization.entity.js';

/** Every TypeORM entity; a feature adds its own here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const entities: Function[] = [Organization, User, Membership, ApiKey];
