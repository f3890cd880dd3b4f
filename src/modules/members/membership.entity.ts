import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Role } from '../../platform/auth/scopes.js';

/** A user's role in one organization. */
@Entity('memberships')
export class Membership {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  role!: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
