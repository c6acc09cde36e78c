-- Tenants. CREATE ... IF NOT EXISTS and ADD COLUMN IF NOT EXISTS so that a database that already has
-- public.companies from an earlier system is adopted as it is, rows untouched (Flyway baselines at 0).
CREATE TABLE IF NOT EXISTS public.companies (
    id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    company_name varchar(255) NOT NULL UNIQUE,
    schema_name  varchar(100) NOT NULL UNIQUE,
    status       varchar(20)  NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'inactive', 'suspended')),
    created_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at   timestamptz  NOT NULL DEFAULT now(),
    deleted_at   timestamptz  NULL
);

-- Columns an adopted table may lack; added without notices when missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'public' AND table_name = 'companies' AND column_name = 'deleted_at') THEN
        ALTER TABLE public.companies ADD COLUMN deleted_at timestamptz NULL;
    END IF;
    -- Per-tenant template values for migrations, e.g. {"embedding_dimensions": 3072}.
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'public' AND table_name = 'companies' AND column_name = 'settings') THEN
        ALTER TABLE public.companies ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb;
    END IF;
END
$$;

-- The fleet that rollouts touch: active and not deleted.
CREATE INDEX IF NOT EXISTS companies_migratable_idx
    ON public.companies (created_at, id) WHERE status = 'active' AND deleted_at IS NULL;
