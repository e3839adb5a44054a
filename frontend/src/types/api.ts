/** Shapes shared by several features. Feature-specific shapes live in the feature's `types/` folder. */

export type Role = 'admin' | 'user' | 'view' | (string & {});

export type Permission = {
  resource: string;
  action: string;
};

export type User = {
  id: number | string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  role: Role;
  is_admin: boolean;
  client_id: number | string;
};

/** Every list route of both services answers `{items, total}`. */
export type Page<T> = {
  items: T[];
  total: number;
};

export type LoginResponse = {
  token: string;
  token_type: string;
  session_id: string | number;
  expires_at: string;
  user: User;
  permissions: Permission[];
};

export type Level = 'elite' | 'high' | 'medium' | 'low';
