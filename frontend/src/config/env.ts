/** Runtime configuration: injected at serve time, else build-time env, else local defaults. */
export type PulseConfig = {
  backendUrl: string;
  etlUrl: string;
};

declare global {
  interface Window {
    __PULSE_CONFIG__?: Partial<PulseConfig>;
  }
}

const DEFAULT_BACKEND_URL = 'http://127.0.0.1:3001';
const DEFAULT_ETL_URL = 'http://127.0.0.1:8000';

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Reads the base URLs of both services; called per request so a late injection still wins. */
export function getConfig(): PulseConfig {
  const injected = (typeof window !== 'undefined' && window.__PULSE_CONFIG__) || {};
  const env = import.meta.env;
  return {
    backendUrl: trimSlash(injected.backendUrl || env.VITE_BACKEND_URL || DEFAULT_BACKEND_URL),
    etlUrl: trimSlash(injected.etlUrl || env.VITE_ETL_URL || DEFAULT_ETL_URL),
  };
}
