-- Liaison's schema, version 1.
--
-- Names, ids and aliases are compared byte for byte (COLLATE "C"): the
-- contract matches them exactly and lists them in byte order, whatever the
-- database's locale. Instants the contract keeps exactly (Options.Now has
-- nanoseconds) are unix nanoseconds in bigint columns named *_ns;
-- timestamptz holds microseconds only. A date_added is unix microseconds,
-- the Record.Position clients page by.

-- Values made once per database: the secret that seals paging cursors.
CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE api_roots (
    name               text COLLATE "C" PRIMARY KEY,
    title              text NOT NULL,
    description        text NOT NULL,
    max_content_length bigint NOT NULL,
    max_objects        integer NOT NULL,
    default_limit      integer NOT NULL,
    max_limit          integer NOT NULL,
    is_default         boolean NOT NULL
);
-- At most one API root is the default.
CREATE UNIQUE INDEX api_roots_default ON api_roots (is_default) WHERE is_default;

CREATE TABLE collections (
    -- seq is the creation order (Collection.Seq) and the key the object
    -- versions refer to: eight bytes in every index entry, not a UUID.
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text COLLATE "C" NOT NULL UNIQUE,
    api_root      text COLLATE "C" NOT NULL REFERENCES api_roots (name) ON DELETE CASCADE,
    title         text NOT NULL,
    description   text NOT NULL,
    alias         text COLLATE "C", -- NULL: none
    media_types   text[] NOT NULL,
    public_read   boolean NOT NULL,
    public_write  boolean NOT NULL,
    reject_custom boolean NOT NULL,
    -- Sharing by markings (store.Collection): TLP level names, '' for the
    -- defaults; the organisations (identity ids) its TLP:AMBER+STRICT
    -- objects are shared with besides their creator's.
    anonymous_clearance text NOT NULL,
    default_marking     text NOT NULL,
    require_marking     boolean NOT NULL,
    strict_orgs         text[] NOT NULL,
    created_ns    bigint NOT NULL,
    -- The latest date_added the collection gave. Writers lock this row
    -- for the whole of their transaction: date_added values are allocated,
    -- and commits happen, one writer at a time per collection.
    last_added    bigint NOT NULL DEFAULT 0,
    objects       bigint NOT NULL DEFAULT 0, -- current versions, for monitoring
    UNIQUE (api_root, alias)
);
CREATE INDEX collections_by_root ON collections (api_root, seq);

-- Every stored object version. Each query shape has an index whose order
-- is the order it pages in, so that a page reads its own rows and no more.
CREATE TABLE versions (
    coll         bigint NOT NULL REFERENCES collections (seq) ON DELETE CASCADE,
    date_added   bigint NOT NULL,
    id           text COLLATE "C" NOT NULL,
    type         text COLLATE "C" NOT NULL,
    -- The version's instant (modified, created, or an SCO's date_added):
    -- seconds and nanoseconds, since STIX timestamps may have nanoseconds.
    version_s    bigint NOT NULL,
    version_ns   integer NOT NULL,
    version_text text NOT NULL, -- as written
    spec         text COLLATE "C" NOT NULL,
    content_hash bytea,         -- SCOs only: store.ContentHash
    -- The object's current version: the latest version in its latest
    -- spec version, what a query with default filters returns.
    is_current   boolean NOT NULL,
    -- The version's data markings (stix.Markings), which decide who may
    -- see it: its TLP level numbered as stix.TLPLevel (0 none, 1 clear,
    -- 2 green, 3 amber, 4 amber+strict, 5 red) plus 128 when
    -- TLP:AMBER+STRICT is among its markings (Markings.Strict: beside
    -- RED, its organisation rule still holds), its creator
    -- (created_by_ref, '' for none) and the other marking definitions it
    -- references, sorted. Queries test them against a client's clearance
    -- in the same row they read anyway.
    tlp          smallint NOT NULL,
    creator      text COLLATE "C" NOT NULL,
    others       text[] NOT NULL,
    -- A shadow is the newest version some clients may see although the
    -- object has a newer one that not every client who may see it may see
    -- (store.AtLeastAsVisible: a re-marking to a more restrictive level,
    -- say). A restricted client's default query reads the shadows beside
    -- the current versions. Most objects have none.
    is_shadow    boolean NOT NULL,
    -- On the current version only: the object's versions differ in
    -- markings, so a new version recomputes its shadows.
    mixed        boolean NOT NULL,
    raw          bytea NOT NULL, -- the object's JSON as posted (compacted), byte for byte
    PRIMARY KEY (coll, date_added)
);
-- Duplicates and conflicts: one version per id and instant.
CREATE UNIQUE INDEX versions_by_version ON versions (coll, id, version_s, version_ns);
-- SCO de-duplication by content.
CREATE UNIQUE INDEX versions_by_content ON versions (coll, id, content_hash) WHERE content_hash IS NOT NULL;
-- match[id] with other version selections.
CREATE INDEX versions_by_id ON versions (coll, id, date_added);
-- match[type] with other version selections.
CREATE INDEX versions_by_type ON versions (coll, type, date_added);
-- The default selection: current versions, by date_added, by type, by id.
CREATE UNIQUE INDEX versions_current_by_id ON versions (coll, id) WHERE is_current;
CREATE INDEX versions_current ON versions (coll, date_added) WHERE is_current;
CREATE INDEX versions_current_by_type ON versions (coll, type, date_added) WHERE is_current;
-- A restricted client's default selection: the current versions and the
-- shadows, each index scanned in date_added order and merged.
CREATE INDEX versions_shadow ON versions (coll, date_added) WHERE is_shadow;
CREATE INDEX versions_shadow_by_type ON versions (coll, type, date_added) WHERE is_shadow;
CREATE INDEX versions_shadow_by_id ON versions (coll, id, date_added) WHERE is_shadow;

-- Status resources, shared by every replica.
CREATE TABLE statuses (
    id        text COLLATE "C" PRIMARY KEY,
    api_root  text COLLATE "C" NOT NULL,
    owner     text NOT NULL,
    completed timestamptz NOT NULL,
    body      json NOT NULL -- store.Status
);
CREATE INDEX statuses_by_completed ON statuses (completed);

CREATE TABLE users (
    name          text COLLATE "C" PRIMARY KEY,
    admin         boolean NOT NULL,
    password_hash text NOT NULL, -- argon2id; empty: API keys only
    org           text COLLATE "C" NOT NULL, -- identity id of its organisation; '' none
    created_ns    bigint NOT NULL
);

CREATE TABLE grants (
    user_name     text COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    collection_id text COLLATE "C" NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    can_read      boolean NOT NULL,
    can_write     boolean NOT NULL,
    clearance     text NOT NULL,   -- a TLP level name; '' for store.DefaultGrantClearance
    allow_markings text[] NOT NULL, -- other marking definitions the user may receive
    PRIMARY KEY (user_name, collection_id)
);
CREATE INDEX grants_by_collection ON grants (collection_id);

CREATE TABLE api_keys (
    id           text COLLATE "C" PRIMARY KEY,
    user_name    text COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    hash         bytea NOT NULL, -- SHA-256 of the secret
    created_ns   bigint NOT NULL,
    expires_ns   bigint, -- NULL: never
    last_used_ns bigint,
    revoked      boolean NOT NULL
);
CREATE INDEX api_keys_by_user ON api_keys (user_name, created_ns);

CREATE TABLE audit (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time_ns   bigint NOT NULL,
    user_name text NOT NULL,
    key_id    text NOT NULL,
    remote    text NOT NULL,
    action    text NOT NULL,
    target    text NOT NULL,
    detail    text NOT NULL,
    outcome   text NOT NULL
);
CREATE INDEX audit_by_time ON audit (time_ns, seq);

-- Consumer activity per (collection, principal); kept for collections
-- that are gone, as the record of who read what.
CREATE TABLE activity (
    collection_id    text COLLATE "C" NOT NULL,
    principal        text COLLATE "C" NOT NULL,
    requests         bigint NOT NULL DEFAULT 0,
    last_request_ns  bigint,
    last_served_ns   bigint,
    day              text NOT NULL DEFAULT '',
    served_today     bigint NOT NULL DEFAULT 0,
    served_total     bigint NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    last_error_at_ns bigint,
    PRIMARY KEY (collection_id, principal)
);
