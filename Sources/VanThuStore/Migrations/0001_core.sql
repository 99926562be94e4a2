-- VanThu core schema: organisations, people, sessions, content-addressed blobs, documents, audit.
-- Applied once, in one transaction, by the migration runner (vanthu-server start).

CREATE TABLE organisations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code          text NOT NULL UNIQUE,          -- QCVN 102:2016 agency code, 000.00.31.H56
    name          text NOT NULL,
    abbreviation  text NOT NULL,                 -- as used in document symbols (SGDĐT)
    kind          text NOT NULL CHECK (kind IN ('department', 'district-office', 'school', 'unit')),
    parent_id     uuid REFERENCES organisations(id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisations_parent ON organisations(parent_id);

-- Internal divisions (phòng, ban, tổ) to which people belong.
CREATE TABLE divisions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    name             text NOT NULL,
    abbreviation     text NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    division_id      uuid REFERENCES divisions(id),
    username         text NOT NULL UNIQUE,
    full_name        text NOT NULL,
    title            text,
    role             text NOT NULL CHECK (role IN ('clerk', 'specialist', 'head', 'leader', 'admin')),
    password_hash    text NOT NULL,
    failed_logins    integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_organisation ON users(organisation_id);

-- Signing certificates registered for a person (the private key stays with them).
CREATE TABLE user_certificates (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users(id),
    fingerprint_sha256  text NOT NULL UNIQUE,
    subject             text NOT NULL,
    issuer              text NOT NULL,
    serial              text NOT NULL,
    not_before          timestamptz NOT NULL,
    not_after           timestamptz NOT NULL,
    der                 bytea NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_certificates_user ON user_certificates(user_id);

-- Bearer sessions: only the SHA-256 of the token is kept.
CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Content-addressed blobs, stored in chunks. A blob row exists only once its content is complete.
CREATE TABLE blobs (
    id          uuid PRIMARY KEY,
    sha256      bytea NOT NULL UNIQUE,
    size        bigint NOT NULL,
    chunk_count integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE blob_chunks (
    blob_id  uuid NOT NULL,
    seq      integer NOT NULL,
    data     bytea NOT NULL,
    PRIMARY KEY (blob_id, seq)
);
-- Files are mostly PDF and already compressed: skip TOAST compression attempts.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE documents (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    created_by       uuid NOT NULL REFERENCES users(id),
    type_code        text NOT NULL,
    subject          text NOT NULL CHECK (char_length(subject) <= 500),
    urgency          text NOT NULL CHECK (urgency IN ('thuong', 'khan', 'thuong-khan', 'hoa-toc')),
    confidentiality  text NOT NULL CHECK (confidentiality IN ('thuong', 'mat', 'toi-mat', 'tuyet-mat')),
    status           text NOT NULL,
    due_date         date,
    author           text,
    drafting_unit    text,
    current_version  integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination walks (created_at, id) downwards within an organisation.
CREATE INDEX documents_org_created ON documents(organisation_id, created_at DESC, id DESC);
CREATE INDEX documents_created ON documents(created_at DESC, id DESC);

CREATE TABLE document_recipients (
    document_id      uuid NOT NULL REFERENCES documents(id),
    organisation_id  uuid NOT NULL REFERENCES organisations(id),
    sent_at          timestamptz,
    PRIMARY KEY (document_id, organisation_id)
);
CREATE INDEX document_recipients_org ON document_recipients(organisation_id) WHERE sent_at IS NOT NULL;

CREATE TABLE document_files (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id  uuid NOT NULL REFERENCES documents(id),
    role         text NOT NULL CHECK (role IN ('main', 'attachment')),
    version      integer NOT NULL,
    name         text NOT NULL,
    media_type   text NOT NULL,
    blob_id      uuid NOT NULL REFERENCES blobs(id),
    created_by   uuid NOT NULL REFERENCES users(id),
    -- clock_timestamp, not now(): files of one upload share a transaction but keep their order.
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX document_files_one_main_per_version ON document_files(document_id, version) WHERE role = 'main';
CREATE INDEX document_files_document ON document_files(document_id);

-- Every state change writes one event here in the same transaction.
CREATE TABLE audit_events (
    id            bigserial PRIMARY KEY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor_id      uuid REFERENCES users(id),
    action        text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_subject ON audit_events(subject_type, subject_id);
