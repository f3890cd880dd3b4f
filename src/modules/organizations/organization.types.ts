import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

// simpleResolvers: plain properties, no middleware; the compiled read (members/viewer.table.ts) answers them from SQL.
@ObjectType({ description: 'A tenant: everything in Rapport belongs to exactly one organization.', simpleResolvers: true })
@Entity('organizations')
export class Organization {
  @Field(() => ID, { description: 'The organization’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'The organization’s name.' })
  @Column('text')
  name!: string;

  @Field({ description: 'Unique, URL-safe name used to log in.' })
  @Column('text')
  slug!: string;

  @Field({ description: 'IANA time zone that interval buckets are aligned to.' })
  @Column('text')
  timezone!: string;

  @Field({ description: 'When the organization signed up.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
