import type { Permission, User } from '@/types/api';

const ALL_ACTIONS = ['read', 'execute', 'delete', 'admin'];
const RESOURCES = ['etl_jobs', 'integrations', 'dashboards', 'admin_panel', 'users', 'sessions', 'settings', 'logs'];

export const adminPermissions: Permission[] = RESOURCES.flatMap((resource) =>
  ALL_ACTIONS.map((action) => ({ resource, action })),
);

/** The Backend's default matrix for `view`. */
export const viewerPermissions: Permission[] = [{ resource: 'dashboards', action: 'read' }];

/** The Backend's default matrix for `user`. */
export const userPermissions: Permission[] = [
  ...viewerPermissions,
  { resource: 'integrations', action: 'read' },
  { resource: 'etl_jobs', action: 'read' },
  { resource: 'logs', action: 'read' },
];

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: 1,
    email: 'ada@example.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    role: 'admin',
    is_admin: true,
    client_id: 1,
    ...overrides,
  };
}

/** `GET /auth/me` answer. */
export function meResponse(user: User = makeUser(), permissions: Permission[] = adminPermissions) {
  return { user, permissions, session_id: 'sess-1' };
}
