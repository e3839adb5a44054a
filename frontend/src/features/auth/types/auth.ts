/** `POST /auth/change-password` body (Backend `ChangePasswordRequest`). */
export type ChangePasswordRequest = { current_password: string; new_password: string };

/** Its answer: how many of the caller's other sessions ended. */
export type ChangePasswordResponse = { ok: boolean; sessions_ended: number };
