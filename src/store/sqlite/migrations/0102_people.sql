-- Issue 19: the people who sign in to the web app (src/people), and their sessions.
CREATE TABLE users (
  name          TEXT    PRIMARY KEY,
  role          TEXT    NOT NULL,   -- viewer, supervisor or admin
  password_hash TEXT    NOT NULL,   -- scrypt, salted: scrypt$N$r$p$<salt>$<hash> (src/people/password.ts)
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- A signed-in browser. The cookie carries a random token; only its SHA-256 is kept, so that a copy of the
-- database signs nobody in. Signing out deletes the row.
CREATE TABLE sessions (
  token_hash TEXT    PRIMARY KEY,
  user_name  TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
