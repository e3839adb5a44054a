import { useMutation } from '@tanstack/react-query';

import type { ChangePasswordRequest, ChangePasswordResponse } from '@/features/auth/types/auth';
import { backendApi } from '@/lib/api-client';

/** POST /auth/change-password: the caller's own password; the server ends the caller's other sessions. */
export function changePassword(body: ChangePasswordRequest): Promise<ChangePasswordResponse> {
  return backendApi.post<ChangePasswordResponse>('/auth/change-password', body);
}

/** The dialog shows every error next to the form, so the mutation is silent for the global banner. */
export function useChangePassword() {
  return useMutation({ mutationFn: changePassword, meta: { silent: true } });
}
