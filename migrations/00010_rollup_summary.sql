-- +goose Up
-- Rollup summary (aggregation package): per season and SKU, the quantity,
-- value, line count and distinct dealer count of the order lines whose order
-- is counted (submitted, confirmed, in_production). Triggers on order_lines
-- and orders keep it exact in the same transaction as every change, so every
-- writer (ordering service, import, seed, tests) maintains it without knowing.
--
-- Grain and contention. rollup_sku_slots has one row per (season, SKU, slot)
-- with slot = dealer_id % 16: concurrent orders of different dealers for the
-- same hot SKU mostly update different rows; readers sum the slots.
-- rollup_sku_dealers counts, per (season, SKU, dealer), the counted lines, so
-- that the distinct dealer count of a SKU can be kept incrementally: a dealer
-- is added to its slot's `dealers` when its count leaves 0 and removed when it
-- returns to 0. Since a dealer always maps to the same slot, slot counts add
-- up to the SKU's distinct dealers. Distinct orders per SKU need no table: an
-- order has at most one line per SKU (UNIQUE (order_id, sku_id)), so `lines`
-- is the SKU's distinct order count. Counts for coarser groupings (per style,
-- per region, ...) are not additive and are computed from the lines.
--
-- Isolation: the line triggers take FOR SHARE locks on the orders they touch,
-- so a concurrent status change (FOR NO KEY UPDATE) and a line change are
-- serialized and each sees the other's committed rows (READ COMMITTED) or
-- fails with a serialization error (SERIALIZABLE). Writers must not change
-- orders or order lines under REPEATABLE READ.

CREATE FUNCTION rollup_counted(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT status IN ('submitted', 'confirmed', 'in_production') $$;

CREATE TABLE rollup_sku_slots (
    season_id int NOT NULL,
    sku_id    int NOT NULL,
    slot      smallint NOT NULL,
    style_id  int NOT NULL,
    color_id  int NOT NULL,
    size_id   int NOT NULL,
    qty       bigint NOT NULL DEFAULT 0,
    amount    numeric(16,2) NOT NULL DEFAULT 0,
    lines     int NOT NULL DEFAULT 0,   -- counted lines = distinct counted orders of the SKU
    dealers   int NOT NULL DEFAULT 0,   -- distinct dealers of this slot with counted lines
    PRIMARY KEY (season_id, sku_id, slot)
) WITH (fillfactor = 70);

CREATE TABLE rollup_sku_dealers (
    season_id int NOT NULL,
    sku_id    int NOT NULL,
    dealer_id int NOT NULL,
    lines     int NOT NULL DEFAULT 0,
    PRIMARY KEY (season_id, sku_id, dealer_id)
) WITH (fillfactor = 80);

CREATE TYPE rollup_delta AS (
    season_id int,
    sku_id    int,
    dealer_id int,
    style_id  int,
    color_id  int,
    size_id   int,
    qty       bigint,
    amount    numeric,
    lines     int
);

-- rollup_apply adds signed deltas of counted lines to the summary. Keys are
-- upserted in key order so that concurrent writers lock rows in one order.
-- +goose StatementBegin
CREATE FUNCTION rollup_apply(deltas rollup_delta[]) RETURNS void
LANGUAGE sql VOLATILE
AS $$
WITH d AS (
    SELECT season_id, sku_id, dealer_id, min(style_id) AS style_id, min(color_id) AS color_id,
           min(size_id) AS size_id, sum(qty) AS qty, sum(amount) AS amount, sum(lines)::int AS lines
    FROM unnest(deltas)
    GROUP BY season_id, sku_id, dealer_id
), dd AS (
    INSERT INTO rollup_sku_dealers AS t (season_id, sku_id, dealer_id, lines)
    SELECT season_id, sku_id, dealer_id, lines FROM d WHERE lines <> 0
    ORDER BY season_id, sku_id, dealer_id
    ON CONFLICT (season_id, sku_id, dealer_id) DO UPDATE SET lines = t.lines + excluded.lines
    RETURNING t.season_id, t.sku_id, t.dealer_id, t.lines
), tr AS (
    SELECT dd.season_id, dd.sku_id, dd.dealer_id,
           CASE WHEN dd.lines > 0 AND dd.lines - d.lines <= 0 THEN 1
                WHEN dd.lines <= 0 AND dd.lines - d.lines > 0 THEN -1
                ELSE 0 END AS dealers
    FROM dd JOIN d USING (season_id, sku_id, dealer_id)
), s AS (
    SELECT d.season_id, d.sku_id, (d.dealer_id % 16)::smallint AS slot,
           min(d.style_id) AS style_id, min(d.color_id) AS color_id, min(d.size_id) AS size_id,
           sum(d.qty) AS qty, sum(d.amount) AS amount, sum(d.lines)::int AS lines,
           sum(coalesce(tr.dealers, 0))::int AS dealers
    FROM d LEFT JOIN tr USING (season_id, sku_id, dealer_id)
    GROUP BY 1, 2, 3
)
INSERT INTO rollup_sku_slots AS t (season_id, sku_id, slot, style_id, color_id, size_id, qty, amount, lines, dealers)
SELECT season_id, sku_id, slot, style_id, color_id, size_id, qty, amount, lines, dealers
FROM s
WHERE qty <> 0 OR amount <> 0 OR lines <> 0 OR dealers <> 0
ORDER BY season_id, sku_id, slot
ON CONFLICT (season_id, sku_id, slot) DO UPDATE
SET qty = t.qty + excluded.qty, amount = t.amount + excluded.amount,
    lines = t.lines + excluded.lines, dealers = t.dealers + excluded.dealers
$$;
-- +goose StatementEnd

-- Statement-level triggers on order_lines: one aggregated delta per statement
-- (a COPY of 100,000 lines is one upsert, not 100,000). Lines whose order is
-- gone (the cascade of an order delete) are skipped: the orders trigger has
-- already subtracted them.
-- +goose StatementBegin
CREATE FUNCTION rollup_lines_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    d rollup_delta[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM orders WHERE id IN (SELECT order_id FROM new_lines) ORDER BY id FOR SHARE;
        SELECT array_agg(ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                             l.qty, l.amount, 1)::rollup_delta)
          INTO d
          FROM new_lines l JOIN orders o ON o.id = l.order_id
         WHERE rollup_counted(o.status);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM orders WHERE id IN (SELECT order_id FROM old_lines) ORDER BY id FOR SHARE;
        SELECT array_agg(ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                             -l.qty, -l.amount, -1)::rollup_delta)
          INTO d
          FROM old_lines l JOIN orders o ON o.id = l.order_id
         WHERE rollup_counted(o.status);
    ELSE
        PERFORM 1 FROM orders
         WHERE id IN (SELECT order_id FROM old_lines UNION SELECT order_id FROM new_lines)
         ORDER BY id FOR SHARE;
        SELECT array_agg(x.r)
          INTO d
          FROM (SELECT ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                           -l.qty, -l.amount, -1)::rollup_delta AS r
                  FROM old_lines l JOIN orders o ON o.id = l.order_id
                 WHERE rollup_counted(o.status)
                UNION ALL
                SELECT ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                           l.qty, l.amount, 1)::rollup_delta
                  FROM new_lines l JOIN orders o ON o.id = l.order_id
                 WHERE rollup_counted(o.status)) x;
    END IF;
    IF d IS NOT NULL THEN
        PERFORM rollup_apply(d);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER rollup_lines_insert AFTER INSERT ON order_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_lines_trigger();
CREATE TRIGGER rollup_lines_update AFTER UPDATE ON order_lines
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_lines_trigger();
CREATE TRIGGER rollup_lines_delete AFTER DELETE ON order_lines
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_lines_trigger();

-- An order entering or leaving the counted statuses (or moving season) moves
-- all its lines; an order deleted while counted subtracts its lines before
-- the cascade removes them.
-- +goose StatementBegin
CREATE FUNCTION rollup_orders_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    d rollup_delta[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF rollup_counted(OLD.status) THEN
            SELECT array_agg(ROW(OLD.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                                 -l.qty, -l.amount, -1)::rollup_delta)
              INTO d
              FROM order_lines l WHERE l.order_id = OLD.id;
            IF d IS NOT NULL THEN
                PERFORM rollup_apply(d);
            END IF;
        END IF;
        RETURN OLD;
    END IF;
    IF rollup_counted(OLD.status) = rollup_counted(NEW.status) AND OLD.season_id = NEW.season_id THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(x.r)
      INTO d
      FROM (SELECT ROW(OLD.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                       -l.qty, -l.amount, -1)::rollup_delta AS r
              FROM order_lines l
             WHERE l.order_id = OLD.id AND rollup_counted(OLD.status)
            UNION ALL
            SELECT ROW(NEW.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                       l.qty, l.amount, 1)::rollup_delta
              FROM order_lines l
             WHERE l.order_id = NEW.id AND rollup_counted(NEW.status)) x;
    IF d IS NOT NULL THEN
        PERFORM rollup_apply(d);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER rollup_orders_update AFTER UPDATE OF status, season_id ON orders
    FOR EACH ROW EXECUTE FUNCTION rollup_orders_trigger();
CREATE TRIGGER rollup_orders_delete BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION rollup_orders_trigger();

-- +goose StatementBegin
CREATE FUNCTION rollup_truncate_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    TRUNCATE rollup_sku_slots, rollup_sku_dealers;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER rollup_lines_truncate AFTER TRUNCATE ON order_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_truncate_trigger();

-- rollup_rebuild recomputes the whole summary from the lines (repair tool;
-- it blocks writers of orders and order lines while it runs).
-- +goose StatementBegin
CREATE FUNCTION rollup_rebuild() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    LOCK TABLE orders, order_lines IN SHARE MODE;
    DELETE FROM rollup_sku_slots;
    DELETE FROM rollup_sku_dealers;
    INSERT INTO rollup_sku_dealers (season_id, sku_id, dealer_id, lines)
    SELECT o.season_id, l.sku_id, l.dealer_id, count(*)
      FROM order_lines l JOIN orders o ON o.id = l.order_id
     WHERE rollup_counted(o.status)
     GROUP BY 1, 2, 3;
    INSERT INTO rollup_sku_slots (season_id, sku_id, slot, style_id, color_id, size_id, qty, amount, lines, dealers)
    SELECT o.season_id, l.sku_id, (l.dealer_id % 16)::smallint, min(l.style_id), min(l.color_id), min(l.size_id),
           sum(l.qty), sum(l.amount), count(*), count(DISTINCT l.dealer_id)
      FROM order_lines l JOIN orders o ON o.id = l.order_id
     WHERE rollup_counted(o.status)
     GROUP BY 1, 2, 3;
END
$$;
-- +goose StatementEnd

SELECT rollup_rebuild();

-- Production orders look up their lines by SKU (stock netting, excess); a
-- fabric acknowledgement records when it was last changed.
ALTER TABLE fabric_acknowledgements ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX production_order_lines_sku_idx ON production_order_lines (sku_id);

-- +goose Down
DROP INDEX production_order_lines_sku_idx;
ALTER TABLE fabric_acknowledgements DROP COLUMN updated_at;
DROP TRIGGER rollup_lines_truncate ON order_lines;
DROP TRIGGER rollup_orders_delete ON orders;
DROP TRIGGER rollup_orders_update ON orders;
DROP TRIGGER rollup_lines_delete ON order_lines;
DROP TRIGGER rollup_lines_update ON order_lines;
DROP TRIGGER rollup_lines_insert ON order_lines;
DROP FUNCTION rollup_rebuild();
DROP FUNCTION rollup_truncate_trigger();
DROP FUNCTION rollup_orders_trigger();
DROP FUNCTION rollup_lines_trigger();
DROP FUNCTION rollup_apply(rollup_delta[]);
DROP TYPE rollup_delta;
DROP TABLE rollup_sku_dealers, rollup_sku_slots;
DROP FUNCTION rollup_counted(text);
