-- The PostgreSQL servers tenant schemas live on. "home" is the control plane's own database (its connection comes
-- from the service's datasource, so its host/port/database/username stay NULL). Passwords are never stored: a row
-- names where to read one when connecting (an environment variable or a file, e.g. a mounted Kubernetes Secret).
CREATE TABLE public.tenant_servers (
    name              varchar(63)  PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
    host              varchar(255),
    port              integer      CHECK (port BETWEEN 1 AND 65535),
    database          varchar(63),
    username          varchar(63),
    tls_mode          varchar(11)  NOT NULL DEFAULT 'prefer'
                      CHECK (tls_mode IN ('disable', 'prefer', 'require', 'verify-ca', 'verify-full')),
    password_env      varchar(255) CHECK (password_env ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
    password_file     varchar(4096) CHECK (password_file LIKE '/%'),
    connection_budget integer      NOT NULL CHECK (connection_budget > 0),
    schema_capacity   integer      CHECK (schema_capacity > 0),
    state             varchar(10)  NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'draining', 'offline')),
    server_version    text,
    extensions        text[]       NOT NULL DEFAULT '{}',
    reachable         boolean,     -- null until the first check
    last_error        text,
    last_checked_at   timestamptz,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT tenant_servers_one_password_source CHECK (password_env IS NULL OR password_file IS NULL),
    -- home and only home connects through the service's own datasource
    CONSTRAINT tenant_servers_home_connection CHECK (
        CASE WHEN name = 'home' THEN host IS NULL AND port IS NULL AND database IS NULL AND username IS NULL
             ELSE host IS NOT NULL AND port IS NOT NULL AND database IS NOT NULL AND username IS NOT NULL END),
    CONSTRAINT tenant_servers_home_online CHECK (name <> 'home' OR state <> 'offline')
);

INSERT INTO public.tenant_servers (name, connection_budget) VALUES ('home', 20);

-- Every company lives on one server; the existing ones on home.
ALTER TABLE public.companies
    ADD COLUMN server varchar(63) NOT NULL DEFAULT 'home' REFERENCES public.tenant_servers (name);
CREATE INDEX companies_server_idx ON public.companies (server);
