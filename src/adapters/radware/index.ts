// Radware DefenseFlow adapter: driver and pure renderer.
export { RadwareAdapter } from './adapter.js';
export { render, RadwareRenderError, type RadwareRendering } from './render.js';
