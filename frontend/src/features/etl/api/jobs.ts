import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { integrationKeys } from '@/features/etl/api/integrations';
import { isTerminal, type Job } from '@/features/etl/types/etl';
import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export type JobListParams = { integration_id?: string | number; limit: number; offset: number };

export const jobKeys = {
  all: ['etl', 'jobs'] as const,
  lists: () => [...jobKeys.all, 'list'] as const,
  list: (params: JobListParams) => [...jobKeys.lists(), params] as const,
  detail: (id: string | number) => [...jobKeys.all, 'detail', String(id)] as const,
};

/** GET /jobs?integration_id=: run history, newest first. */
export function getJobs(params: JobListParams, signal?: AbortSignal): Promise<Page<Job>> {
  return etlApi.get<Page<Job>>('/jobs', { params, signal });
}

export function getJobsQueryOptions(params: JobListParams) {
  return queryOptions({
    queryKey: jobKeys.list(params),
    queryFn: ({ signal }) => getJobs(params, signal),
    placeholderData: keepPreviousData,
  });
}

/** Run history; with `pollWhileActive` it refreshes every 5 s while a listed run is not finished. */
export function useJobs(params: JobListParams, options: { pollWhileActive?: boolean } = {}) {
  return useQuery({
    ...getJobsQueryOptions(params),
    refetchInterval: (query) =>
      options.pollWhileActive && query.state.data?.items.some((job) => !isTerminal(job.status)) ? 5000 : false,
  });
}

/** GET /jobs/{id}. */
export function getJob(id: string | number, signal?: AbortSignal): Promise<Job> {
  return etlApi.get<Job>(`/jobs/${id}`, { signal });
}

export function getJobQueryOptions(id: string | number) {
  return queryOptions({ queryKey: jobKeys.detail(id), queryFn: ({ signal }) => getJob(id, signal) });
}

/** One job; `poll` (ms) is the fallback when the WebSocket is not live. */
export function useJob(id: string | number | null, poll: number | false = false) {
  return useQuery({
    ...getJobQueryOptions(id ?? ''),
    enabled: id !== null && id !== '',
    refetchInterval: poll,
  });
}

/** POST /integrations/{id}/sync → {job_run_id}. */
export function syncIntegration(integrationId: string | number): Promise<{ job_run_id: number | string }> {
  return etlApi.post<{ job_run_id: number | string }>(`/integrations/${integrationId}/sync`);
}

export function useSyncIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: syncIntegration,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: integrationKeys.all });
    },
  });
}

export type JobAction = 'pause' | 'resume' | 'cancel';

/** POST /jobs/{id}/pause|resume|cancel. */
export function runJobAction({ id, action }: { id: string | number; action: JobAction }): Promise<Job | undefined> {
  return etlApi.post<Job | undefined>(`/jobs/${id}/${action}`);
}

export function useJobAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: runJobAction,
    onSuccess: (job, { id }) => {
      if (job && typeof job === 'object' && 'status' in job) queryClient.setQueryData(jobKeys.detail(id), job);
      void queryClient.invalidateQueries({ queryKey: jobKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
    },
  });
}

export type JobLogLine = { id: number; level: string; message: string; at: string };

/** GET /jobs/{id}/log (needs logs:read): the stored log, oldest first; the fallback when the stream is down. */
export function getJobLog(id: string | number, signal?: AbortSignal): Promise<Page<JobLogLine>> {
  return etlApi.get<Page<JobLogLine>>(`/jobs/${id}/log`, { params: { limit: 500, offset: 0 }, signal });
}

export function getJobLogQueryOptions(id: string | number) {
  return queryOptions({ queryKey: [...jobKeys.detail(id), 'log'], queryFn: ({ signal }) => getJobLog(id, signal) });
}

/** The stored log, polled while `poll` is set. */
export function useJobLog(id: string | number, { enabled, poll }: { enabled: boolean; poll: number | false }) {
  return useQuery({ ...getJobLogQueryOptions(id), enabled, refetchInterval: poll });
}
