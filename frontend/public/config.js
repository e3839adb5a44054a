// Served as-is in development. A deployment may overwrite this file (or serve its own /config.js) with:
// window.__PULSE_CONFIG__ = { backendUrl: "http://host:3001", etlUrl: "http://host:8000" };
window.__PULSE_CONFIG__ = window.__PULSE_CONFIG__ || {};
