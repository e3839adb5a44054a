import type { Permission, Role } from '@/types/api';

export type AdminUser = {
  id: number | string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  role: Role;
  is_admin: boolean;
  active: boolean;
  last_login_at: string | null;
  created_at: string;
};

export type UserCreate = {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  role: Role;
};

export type UserUpdate = {
  first_name?: string;
  last_name?: string;
  role?: Role;
};

export type PermissionMatrix = {
  roles: string[];
  resources: string[];
  actions: string[];
  matrix: Record<string, Record<string, string[]>>;
};

export type PermissionOverride = Permission & { granted: boolean };

export type UserPermissions = {
  role: Role;
  overrides: PermissionOverride[];
  effective: Permission[];
};

export type SessionRow = {
  id: number | string;
  user_id: number | string;
  user_email: string;
  created_at: string;
  last_activity_at: string | null;
  expires_at: string;
  ip_address: string | null;
  user_agent: string | null;
  is_current?: boolean;
};

export type CurrentSession = {
  session_id: number | string;
  user_id: number | string;
  created_at: string;
  last_activity_at: string | null;
  expires_at: string;
  ip_address: string | null;
  user_agent: string | null;
};

export type AuditEvent = {
  id: number | string;
  event_type: string;
  user_id: number | string | null;
  actor_email: string | null;
  ip_address: string | null;
  details: unknown;
  created_at: string;
};

/** How many sessions an admin action ended (`POST /admin/users/{id}/sessions/terminate`). */
export type SessionsEnded = { sessions_ended: number };
