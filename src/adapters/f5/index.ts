// F5 BIG-IP (iControl REST, AFM DoS profiles) adapter: driver and pure renderer.
export { F5Adapter } from './adapter.js';
export { render, F5RenderError, type F5Rendering } from './render.js';
