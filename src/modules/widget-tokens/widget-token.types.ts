import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@ObjectType({
  description:
    'A publishable token for widgets on public pages: it reads only the series and live updates of its metrics and the ' +
    'figures of its ROI models, and only from its allowed origins. The token itself is shown only once, at creation.',
})
@Entity('widget_tokens')
export class WidgetToken {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Field(() => ID, { description: 'The token’s id (not the token).' })
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field({ description: 'A name to recognise the token by, such as the page it is on.' })
  @Column('text')
  name!: string;

  @Field({ description: 'The first characters of the token (rrw_…), to recognise it in a page’s source.' })
  @Column('text')
  prefix!: string;

  @Column('bytea', { name: 'secret_hash', select: false })
  secretHash!: Buffer;

  @Field(() => [String], { description: 'The metric keys whose metricSeries and metricUpdated the token reads.' })
  @Column('text', { name: 'metric_keys', array: true })
  metricKeys!: string[];

  @Field(() => [ID], { description: 'The ROI models whose roi and roiUpdated figures and series the token reads.' })
  @Column('uuid', { name: 'roi_model_ids', array: true })
  roiModelIds!: string[];

  @Field(() => [String], { description: 'The origins (https://example.com) whose pages may use the token; any other is FORBIDDEN.' })
  @Column('text', { name: 'allowed_origins', array: true })
  allowedOrigins!: string[];

  @Column('uuid', { name: 'created_by_user_id', nullable: true })
  createdByUserId!: string | null;

  @Field({ description: 'When the token was made.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the token stops working; null: never.' })
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the token was revoked; null while it works.' })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
