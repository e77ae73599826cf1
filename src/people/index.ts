export { isRole, userNameProblem } from './names.js';
export { createPageGate } from './page-gate.js';
export { hashPassword, passwordProblem, verifyPassword } from './password.js';
export { createPeople, type People, type SessionLookup } from './people.js';
export { sessionRoutes } from './routes.js';
export { SESSION_COOKIE } from './session-cookie.js';
export { usersRoutes } from './users-routes.js';
