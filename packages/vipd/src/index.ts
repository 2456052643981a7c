export { VIPD_VERSION } from './version.js';
