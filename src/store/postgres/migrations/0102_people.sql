-- Issue 19: the people who sign in to the web app (src/people), and their sessions.
CREATE TABLE users (
  name          text   COLLATE "C" PRIMARY KEY,
  role          text   NOT NULL,   -- viewer, supervisor or admin
  password_hash text   NOT NULL,   -- scrypt, salted: scrypt$N$r$p$<salt>$<hash> (src/people/password.ts)
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL
);

-- A signed-in browser. The cookie carries a random token; only its SHA-256 is kept, so that a copy of the
-- database signs nobody in. Signing out deletes the row.
CREATE TABLE sessions (
  token_hash text   PRIMARY KEY,
  user_name  text   COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
