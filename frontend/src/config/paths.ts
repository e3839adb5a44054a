/** Every route of the web app, in one place. */
export const paths = {
  login: '/login',
  dora: '/',
  analytics: '/analytics',
  etl: '/etl',
  etlIntegration: (id: string | number) => `/etl/integrations/${id}`,
  admin: '/admin',
  adminUsers: '/admin/users',
  adminSessions: '/admin/sessions',
  adminAudit: '/admin/audit',
  settings: '/settings',
} as const;
