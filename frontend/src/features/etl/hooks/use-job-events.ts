import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { integrationKeys } from '@/features/etl/api/integrations';
import { jobKeys } from '@/features/etl/api/jobs';
import { isTerminal, type Job, type JobEventMessage, type LogEvent } from '@/features/etl/types/etl';
import { wsUrl } from '@/lib/api-client';
import { getToken } from '@/lib/token-storage';

/** `live`: WebSocket open; `reconnecting`: waiting to retry (the job is polled meanwhile); `closed`: job ended. */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'closed';

const MAX_LOG_LINES = 500;
const MAX_BACKOFF_MS = 30_000;

/** Reconnect delay after `attempt` failures: 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Follows a job over `WS /jobs/{id}/events`: state messages update the job in the query cache,
 * log lines are collected, pings are answered. On a drop it reconnects with backoff; while it is not
 * live the caller polls `GET /jobs/{id}` (see `stream !== 'live'`).
 */
export function useJobEvents(jobId: string | number | null) {
  const queryClient = useQueryClient();
  const [logs, setLogs] = useState<LogEvent[]>([]);
  const [stream, setStream] = useState<StreamState>('connecting');

  useEffect(() => {
    setLogs([]);
    if (jobId === null || jobId === '') return;
    let socket: WebSocket | null = null;
    let attempt = 0;
    let timer: number | undefined;
    let stopped = false;

    const onState = (job: Job) => {
      queryClient.setQueryData(jobKeys.detail(jobId), job);
      if (isTerminal(job.status)) {
        void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
        void queryClient.invalidateQueries({ queryKey: integrationKeys.all });
        // The server keeps an ended run's stream open for pings; nothing more will come, so leave.
        window.setTimeout(() => {
          if (!socket) return;
          socket.onclose = null;
          socket.close();
          socket = null;
          setStream('closed');
        }, 1000);
      }
    };

    const connect = () => {
      if (stopped) return;
      setStream(attempt === 0 ? 'connecting' : 'reconnecting');
      try {
        socket = new WebSocket(wsUrl('etl', `/jobs/${jobId}/events`, { token: getToken() }));
      } catch {
        scheduleReconnect();
        return;
      }
      socket.onopen = () => {
        attempt = 0;
        // The server replays the run's log from the start on every connection.
        setLogs([]);
        setStream('live');
      };
      socket.onmessage = (event: MessageEvent) => {
        let message: JobEventMessage;
        try {
          message = JSON.parse(String(event.data)) as JobEventMessage;
        } catch {
          return;
        }
        if (message.type === 'state' && 'job' in message) onState(message.job);
        else if (message.type === 'log' && 'message' in message) {
          setLogs((lines) => [...lines, message as LogEvent].slice(-MAX_LOG_LINES));
        } else if (message.type === 'ping') socket?.send(JSON.stringify({ type: 'pong' }));
      };
      socket.onclose = () => {
        socket = null;
        if (stopped) return;
        const job = queryClient.getQueryData<Job>(jobKeys.detail(jobId));
        if (job && isTerminal(job.status)) {
          setStream('closed');
          return;
        }
        scheduleReconnect();
      };
    };

    const scheduleReconnect = () => {
      attempt += 1;
      setStream('reconnecting');
      timer = window.setTimeout(connect, backoffDelay(attempt));
    };

    connect();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
    };
  }, [jobId, queryClient]);

  return { logs, stream };
}
