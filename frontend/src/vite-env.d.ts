/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_BACKEND_URL?: string;
  readonly VITE_ETL_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
