-- A table with a sequence (bigserial) and one without a primary key (moved with a temporary REPLICA IDENTITY FULL).
CREATE TABLE items (
    id      bigserial PRIMARY KEY,
    n       integer   NOT NULL,
    note    text,
    updated integer   NOT NULL DEFAULT 0
);

CREATE TABLE events (
    item_id bigint      NOT NULL,
    kind    text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);

-- Reference data a migration writes: the target must not get it twice.
INSERT INTO items (n, note) VALUES (0, 'seeded by 001');
