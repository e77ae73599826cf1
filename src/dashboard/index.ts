export { CONTENT_SECURITY_POLICY, dashboardRoutes } from './routes.js';
