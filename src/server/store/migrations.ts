/**
 * Numbered schema migrations, one SQL text per dialect. Applied in order, each in its own
 * transaction, recorded in `schema_migrations`. Never edit a released migration: add the next one.
 */
import type { Dialect } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: Record<Dialect, string>;
}

const both = (sql: string): Record<Dialect, string> => ({ sqlite: sql, postgres: sql });

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'feedback, events and triage',
    sql: both(`
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        received_at BIGINT NOT NULL,
        page TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        kind TEXT,
        reason TEXT,
        comment TEXT,
        quote TEXT,
        persona TEXT,
        lab TEXT,
        step TEXT,
        workshop TEXT,
        replaces TEXT,
        withdrawn INTEGER,
        context TEXT
      );
      CREATE INDEX feedback_replaces ON feedback (replaces);
      CREATE INDEX feedback_received ON feedback (received_at);
      CREATE INDEX feedback_page ON feedback (page);
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        received_at BIGINT NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        session TEXT NOT NULL,
        lab TEXT,
        step TEXT,
        workshop TEXT,
        persona TEXT,
        data TEXT
      );
      CREATE INDEX events_at ON events (at_ms);
      CREATE INDEX events_type_lab ON events (type, lab);
      CREATE INDEX events_session ON events (session);
      CREATE TABLE triage (
        id TEXT PRIMARY KEY REFERENCES feedback (id),
        status TEXT NOT NULL,
        note TEXT,
        updated_at BIGINT NOT NULL
      );
    `),
  },
  {
    version: 2,
    name: 'access tokens (hashed) with roles',
    sql: both(`
      CREATE TABLE access_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT,
        revoked_at BIGINT
      );
      CREATE INDEX access_tokens_name ON access_tokens (name);
    `),
  },
  {
    version: 3,
    name: 'workshops: rooms, participants, raised hands, messages',
    // The indexes on workshop are partial: most events carry none, and ingest should not pay for them.
    sql: both(`
      CREATE TABLE workshops (
        code TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        lab TEXT,
        path TEXT,
        steps TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        ends_at BIGINT NOT NULL,
        capacity INTEGER,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        ended_at BIGINT,
        names_deleted_at BIGINT
      );
      CREATE TABLE workshop_participants (
        id TEXT PRIMARY KEY,
        workshop TEXT NOT NULL REFERENCES workshops (code),
        name TEXT,
        secret_hash TEXT,
        joined_at BIGINT NOT NULL
      );
      CREATE INDEX workshop_participants_workshop ON workshop_participants (workshop);
      CREATE TABLE workshop_hands (
        id TEXT PRIMARY KEY,
        workshop TEXT NOT NULL REFERENCES workshops (code),
        participant TEXT NOT NULL REFERENCES workshop_participants (id),
        step TEXT,
        note TEXT,
        check_output TEXT,
        raised_at BIGINT NOT NULL,
        acked_at BIGINT,
        lowered_at BIGINT
      );
      CREATE INDEX workshop_hands_workshop ON workshop_hands (workshop);
      CREATE TABLE workshop_messages (
        workshop TEXT NOT NULL REFERENCES workshops (code),
        seq INTEGER NOT NULL,
        participant TEXT,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (workshop, seq)
      );
      CREATE INDEX events_workshop ON events (workshop) WHERE workshop IS NOT NULL;
      CREATE INDEX feedback_workshop ON feedback (workshop) WHERE workshop IS NOT NULL;
    `),
  },
];

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
