import type { ReactNode } from 'react';

import { AccessDenied } from '@/components/errors/access-denied';
import { useAuth } from '@/lib/auth';
import type { Permission } from '@/types/api';

/**
 * What the UI may offer, keyed like the server's permissions (`resource:action`).
 * The Backend computes the effective permissions; this map only decides what to show.
 * The server stays the authority: a hidden button is a courtesy, a 403 is the rule.
 */
export const POLICIES = {
  'dashboards:read': { resource: 'dashboards', action: 'read' },
  'integrations:read': { resource: 'integrations', action: 'read' },
  'integrations:admin': { resource: 'integrations', action: 'admin' },
  'etl_jobs:read': { resource: 'etl_jobs', action: 'read' },
  'etl_jobs:execute': { resource: 'etl_jobs', action: 'execute' },
  'etl_jobs:admin': { resource: 'etl_jobs', action: 'admin' },
  'logs:read': { resource: 'logs', action: 'read' },
  'admin_panel:read': { resource: 'admin_panel', action: 'read' },
  'users:read': { resource: 'users', action: 'read' },
  'users:admin': { resource: 'users', action: 'admin' },
  'sessions:read': { resource: 'sessions', action: 'read' },
  'sessions:delete': { resource: 'sessions', action: 'delete' },
  'settings:read': { resource: 'settings', action: 'read' },
  'settings:admin': { resource: 'settings', action: 'admin' },
} as const satisfies Record<string, Permission>;

export type Policy = keyof typeof POLICIES;

/** True when the effective permissions hold exactly this `resource:action`, as the server checks it. */
export function isAllowed(permissions: readonly Permission[] | null | undefined, policy: Policy): boolean {
  if (!permissions) return false;
  const wanted = POLICIES[policy];
  return permissions.some((permission) => permission.resource === wanted.resource && permission.action === wanted.action);
}

/** True when any of the policies is granted. */
export function isAllowedAny(permissions: readonly Permission[] | null | undefined, policies: readonly Policy[]): boolean {
  return policies.some((policy) => isAllowed(permissions, policy));
}

/** `can('users:admin')` for the signed-in user. */
export function useAuthorization(): { can: (policy: Policy) => boolean; canAny: (policies: readonly Policy[]) => boolean } {
  const { permissions } = useAuth();
  return {
    can: (policy) => isAllowed(permissions, policy),
    canAny: (policies) => isAllowedAny(permissions, policies),
  };
}

type AuthorizationProps = {
  policy: Policy | readonly Policy[];
  /** What to show without the permission; nothing by default (what a role may not do is not offered). */
  forbiddenFallback?: ReactNode;
  children: ReactNode;
};

/** Renders children only when the signed-in user holds the policy (any of them, for a list). */
export function Authorization({ policy, forbiddenFallback = null, children }: AuthorizationProps) {
  const { canAny } = useAuthorization();
  const policies: readonly Policy[] = typeof policy === 'string' ? [policy as Policy] : (policy as readonly Policy[]);
  return <>{canAny(policies) ? children : forbiddenFallback}</>;
}

/** Route guard: the access-denied view when the user lacks the policy. */
export function RequirePolicy({ policy, children }: { policy: Policy | readonly Policy[]; children: ReactNode }) {
  return (
    <Authorization policy={policy} forbiddenFallback={<AccessDenied />}>
      {children}
    </Authorization>
  );
}
