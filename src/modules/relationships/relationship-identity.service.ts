import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check, NotFoundError } from '../../platform/errors.js';
import { requiredText } from '../../platform/input.js';
import { identitiesOf } from './relationship.loaders.js';
import type { Relationship } from './relationship.types.js';
import type { RelationshipIdentityInput } from './relationship.inputs.js';
import type { RelationshipIdentity } from './relationship-identity.types.js';
import { RelationshipService } from './relationship.service.js';

/** At most this many identities are added to one relationship. */
export const MAX_IDENTITIES = 50;

/** SQL: the relationships that hold identity ($1 platform, $2 handle) as their own handle or an added one. */
export const IDENTITY_HOLDERS_SQL = `
  SELECT r.id FROM relationships r JOIN communities c ON c.organization_id = r.organization_id AND c.id = r.community_id
   WHERE lower(r.handle) = lower($2) AND lower(c.platform) = lower($1)
  UNION
  SELECT i.relationship_id FROM relationship_identities i WHERE lower(i.platform) = lower($1) AND lower(i.handle) = lower($2)`;

/** The handles a relationship's person has on other platforms. */
export class RelationshipIdentityService {
  constructor(private readonly scope: TenantScope) {}

  /** Its identities, its own handle first. */
  identities(relationshipId: string): Promise<RelationshipIdentity[]> {
    return this.scope.loader(identitiesOf).load(relationshipId);
  }

  /**
   * Adds an identity. One it already has changes nothing; one another relationship holds is
   * BAD_USER_INPUT naming that relationship (the same person: merge them).
   */
  async add(relationshipId: string, input: RelationshipIdentityInput): Promise<Relationship> {
    const platform = requiredText(input.platform, 'platform', 100);
    const handle = requiredText(input.handle, 'handle', 200);
    const relationships = new RelationshipService(this.scope);
    const relationship = await relationships.find(relationshipId);
    if (!relationship) throw new NotFoundError('Relationship', relationshipId);
    const m = await this.scope.db();
    const holders: Array<{ id: string }> = await m.query(IDENTITY_HOLDERS_SQL, [platform, handle]);
    if (holders.some((h) => h.id === relationship.id)) return relationship;
    if (holders.length) throw taken(platform, handle, holders[0].id);
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM relationship_identities WHERE relationship_id = $1`, [relationship.id]);
    check(n < MAX_IDENTITIES, 'handle', `a relationship has at most ${MAX_IDENTITIES} added identities`);
    const inserted = await m.query(
      `INSERT INTO relationship_identities (organization_id, relationship_id, platform, handle) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [m.tenantId, relationship.id, platform, handle],
    );
    if (!inserted.length) {
      const [holder] = await m.query(IDENTITY_HOLDERS_SQL, [platform, handle]);
      throw taken(platform, handle, holder?.id ?? null);
    }
    relationships.forget([relationship.id], []);
    return relationship;
  }
}

/** The identity belongs to another relationship: BAD_USER_INPUT with its id. */
export function taken(platform: string, handle: string, holderId: string | null): BadInputError {
  return new BadInputError(
    `identity ${platform}:${handle} already belongs to relationship '${holderId}': if it is the same person, merge them with mergeRelationships`,
    { field: 'handle', relationshipId: holderId },
  );
}
