-- +goose Up
-- The catalogue as an order reads it (seasons and their delivery windows,
-- the styles a season offers, their colours, sizes, SKUs, prepacks and
-- prices) changes rarely and is read on every order submission. Every
-- statement that writes one of those tables raises catalog_version, in the
-- writer's transaction, so a server may keep what it read under the version
-- it saw and use it for as long as a transaction still sees that version
-- (ordering/orderdb, catalogue cache).
CREATE TABLE catalog_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO catalog_version (version) VALUES (1);

-- +goose StatementBegin
CREATE FUNCTION catalog_version_bump() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE catalog_version SET version = version + 1;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['seasons', 'delivery_windows', 'season_styles', 'styles', 'colors', 'sizes',
                             'skus', 'prepacks', 'prepack_items', 'prices'] LOOP
        EXECUTE format('CREATE TRIGGER catalog_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- CASCADE drops the function's triggers on the ten tables.
DROP FUNCTION catalog_version_bump() CASCADE;
DROP TABLE catalog_version;
