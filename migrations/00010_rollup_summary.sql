-- +goose Up
-- Rollup summary (aggregation package): per season and SKU, the quantity,
-- value, line count and distinct dealer count of the order lines whose order
-- is counted (submitted, confirmed, in_production). Triggers on order_lines
-- and orders keep it exact in the same transaction as every change, so every
-- writer (ordering service, import, seed, tests) maintains it without knowing.
--
-- Grain and contention. Every SKU has one base row in rollup_sku_slots
-- (slot 0) that takes each change unless another transaction holds it, in
-- which case the change goes to a side row (slot 1 + backend pid % 15)
-- instead of waiting: no hot-row waits, and about one row per SKU to read.
-- Every column is an additive delta, so a SKU's totals are the sums over its
-- rows whichever row a change landed in (rows may even hold negative values).
-- rollup_compact() folds side rows back into the base.
--
-- Distinct counts. rollup_sku_dealers counts, per (season, SKU, dealer), the
-- counted lines, so that a SKU's distinct dealers change only when a dealer's
-- count leaves or returns to 0. Distinct orders per SKU need no table: an
-- order has at most one line per SKU (UNIQUE (order_id, sku_id)), so `lines`
-- is the SKU's distinct order count. The season totals' distinct counts are
-- kept too: rollup_orders counts the counted lines of each order, and
-- rollup_season_dealers counts, per dealer, the orders whose count is above
-- zero. Counts for other groupings (per style, per region, ...) are not
-- additive and are computed from the lines.
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
    lines     int,
    order_id  bigint
);

CREATE TYPE rollup_sku_delta AS (
    season_id int,
    sku_id    int,
    style_id  int,
    color_id  int,
    size_id   int,
    qty       bigint,
    amount    numeric,
    lines     int,
    dealers   int
);

-- Readers take the base rows as they are and add the few side rows.
CREATE INDEX rollup_sku_slots_side_idx ON rollup_sku_slots (season_id, sku_id) WHERE slot <> 0;

CREATE TABLE rollup_orders (
    season_id int NOT NULL,
    order_id  bigint NOT NULL,
    dealer_id int NOT NULL,
    lines     int NOT NULL DEFAULT 0,   -- counted lines of the order
    PRIMARY KEY (season_id, order_id)
);

CREATE TABLE rollup_season_dealers (
    season_id int NOT NULL,
    dealer_id int NOT NULL,
    orders    int NOT NULL DEFAULT 0,   -- orders with counted lines
    PRIMARY KEY (season_id, dealer_id)
);

-- +goose StatementBegin
CREATE FUNCTION rollup_apply(deltas rollup_delta[]) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    s   rollup_sku_delta[];
    got bigint[];   -- (season_id << 32) | sku_id of the base rows this transaction holds
BEGIN
    -- Per dealer and SKU: line counts, and the dealers entering or leaving the SKU.
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
    )
    SELECT array_agg(ROW(x.season_id, x.sku_id, x.style_id, x.color_id, x.size_id, x.qty, x.amount, x.lines,
                         x.dealers)::rollup_sku_delta ORDER BY x.season_id, x.sku_id)
      INTO s
      FROM (SELECT d.season_id, d.sku_id, min(d.style_id) AS style_id, min(d.color_id) AS color_id,
                   min(d.size_id) AS size_id, sum(d.qty) AS qty, sum(d.amount) AS amount,
                   sum(d.lines)::int AS lines, sum(coalesce(tr.dealers, 0))::int AS dealers
              FROM d LEFT JOIN tr USING (season_id, sku_id, dealer_id)
             GROUP BY d.season_id, d.sku_id) x
     WHERE x.qty <> 0 OR x.amount <> 0 OR x.lines <> 0 OR x.dealers <> 0;

    -- Per order: counted lines, and the orders entering or leaving a dealer's count.
    WITH o AS (
        SELECT season_id, order_id, min(dealer_id) AS dealer_id, sum(lines)::int AS lines
        FROM unnest(deltas)
        GROUP BY season_id, order_id
        HAVING sum(lines) <> 0
    ), oo AS (
        INSERT INTO rollup_orders AS t (season_id, order_id, dealer_id, lines)
        SELECT season_id, order_id, dealer_id, lines FROM o ORDER BY season_id, order_id
        ON CONFLICT (season_id, order_id) DO UPDATE SET lines = t.lines + excluded.lines
        RETURNING t.season_id, t.order_id, t.dealer_id, t.lines
    ), tr AS (
        SELECT oo.season_id, oo.dealer_id,
               CASE WHEN oo.lines > 0 AND oo.lines - o.lines <= 0 THEN 1
                    WHEN oo.lines <= 0 AND oo.lines - o.lines > 0 THEN -1
                    ELSE 0 END AS orders
        FROM oo JOIN o USING (season_id, order_id)
    )
    INSERT INTO rollup_season_dealers AS t (season_id, dealer_id, orders)
    SELECT season_id, dealer_id, sum(orders) FROM tr
    GROUP BY season_id, dealer_id HAVING sum(orders) <> 0
    ORDER BY season_id, dealer_id
    ON CONFLICT (season_id, dealer_id) DO UPDATE SET orders = t.orders + excluded.orders;

    IF s IS NULL THEN
        RETURN;
    END IF;

    -- Base rows nobody else holds take the change ...
    SELECT array_agg((b.season_id::bigint << 32) | b.sku_id)
      INTO got
      FROM (SELECT r.season_id, r.sku_id
              FROM rollup_sku_slots r
              JOIN unnest(s) x ON r.season_id = x.season_id AND r.sku_id = x.sku_id AND r.slot = 0
             ORDER BY r.season_id, r.sku_id
               FOR UPDATE OF r SKIP LOCKED) b;
    IF got IS NOT NULL THEN
        UPDATE rollup_sku_slots r
           SET qty = r.qty + x.qty, amount = r.amount + x.amount,
               lines = r.lines + x.lines, dealers = r.dealers + x.dealers
          FROM unnest(s) x
         WHERE r.season_id = x.season_id AND r.sku_id = x.sku_id AND r.slot = 0
           AND ((x.season_id::bigint << 32) | x.sku_id) = ANY (got);
    END IF;

    -- ... the others go to a new base row, or to this backend's side row.
    INSERT INTO rollup_sku_slots AS t (season_id, sku_id, slot, style_id, color_id, size_id, qty, amount, lines, dealers)
    SELECT x.season_id, x.sku_id,
           CASE WHEN EXISTS (SELECT 1 FROM rollup_sku_slots b
                              WHERE b.season_id = x.season_id AND b.sku_id = x.sku_id AND b.slot = 0)
                THEN (1 + pg_backend_pid() % 15)::smallint ELSE 0::smallint END,
           x.style_id, x.color_id, x.size_id, x.qty, x.amount, x.lines, x.dealers
      FROM unnest(s) x
     WHERE got IS NULL OR NOT ((x.season_id::bigint << 32) | x.sku_id) = ANY (got)
     ORDER BY 1, 2, 3
        ON CONFLICT (season_id, sku_id, slot) DO UPDATE
       SET qty = t.qty + excluded.qty, amount = t.amount + excluded.amount,
           lines = t.lines + excluded.lines, dealers = t.dealers + excluded.dealers;
END
$$;
-- +goose StatementEnd

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
                             l.qty, l.amount, 1, l.order_id)::rollup_delta)
          INTO d
          FROM new_lines l JOIN orders o ON o.id = l.order_id
         WHERE rollup_counted(o.status);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM orders WHERE id IN (SELECT order_id FROM old_lines) ORDER BY id FOR SHARE;
        SELECT array_agg(ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                             -l.qty, -l.amount, -1, l.order_id)::rollup_delta)
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
                           -l.qty, -l.amount, -1, l.order_id)::rollup_delta AS r
                  FROM old_lines l JOIN orders o ON o.id = l.order_id
                 WHERE rollup_counted(o.status)
                UNION ALL
                SELECT ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                           l.qty, l.amount, 1, l.order_id)::rollup_delta
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
                                 -l.qty, -l.amount, -1, l.order_id)::rollup_delta)
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
                       -l.qty, -l.amount, -1, l.order_id)::rollup_delta AS r
              FROM order_lines l
             WHERE l.order_id = OLD.id AND rollup_counted(OLD.status)
            UNION ALL
            SELECT ROW(NEW.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                       l.qty, l.amount, 1, l.order_id)::rollup_delta
              FROM order_lines l
             WHERE l.order_id = NEW.id AND rollup_counted(NEW.status)) x;
    IF d IS NOT NULL THEN
        PERFORM rollup_apply(d);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION rollup_truncate_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    TRUNCATE rollup_sku_slots, rollup_sku_dealers, rollup_orders, rollup_season_dealers;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION rollup_rebuild() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    LOCK TABLE orders, order_lines IN SHARE MODE;
    DELETE FROM rollup_sku_slots;
    DELETE FROM rollup_sku_dealers;
    DELETE FROM rollup_orders;
    DELETE FROM rollup_season_dealers;
    INSERT INTO rollup_sku_dealers (season_id, sku_id, dealer_id, lines)
    SELECT o.season_id, l.sku_id, l.dealer_id, count(*)
      FROM order_lines l JOIN orders o ON o.id = l.order_id
     WHERE rollup_counted(o.status)
     GROUP BY 1, 2, 3;
    INSERT INTO rollup_sku_slots (season_id, sku_id, slot, style_id, color_id, size_id, qty, amount, lines, dealers)
    SELECT o.season_id, l.sku_id, 0, min(l.style_id), min(l.color_id), min(l.size_id),
           sum(l.qty), sum(l.amount), count(*), count(DISTINCT l.dealer_id)
      FROM order_lines l JOIN orders o ON o.id = l.order_id
     WHERE rollup_counted(o.status)
     GROUP BY 1, 2;
    INSERT INTO rollup_orders (season_id, order_id, dealer_id, lines)
    SELECT o.season_id, l.order_id, min(l.dealer_id), count(*)
      FROM order_lines l JOIN orders o ON o.id = l.order_id
     WHERE rollup_counted(o.status)
     GROUP BY 1, 2;
    INSERT INTO rollup_season_dealers (season_id, dealer_id, orders)
    SELECT season_id, dealer_id, count(*) FROM rollup_orders WHERE lines > 0 GROUP BY 1, 2;
END
$$;
-- +goose StatementEnd

-- rollup_compact folds side rows into their SKU's base row, skipping rows
-- other transactions hold; it returns how many side rows it folded. Run it
-- now and then (e.g. every minute); readers are exact either way.
-- +goose StatementBegin
CREATE FUNCTION rollup_compact() RETURNS int
LANGUAGE plpgsql
AS $$
DECLARE
    n int;
BEGIN
    WITH side AS (
        SELECT r.season_id, r.sku_id, r.slot FROM rollup_sku_slots r
         WHERE r.slot <> 0
         ORDER BY r.season_id, r.sku_id, r.slot
           FOR UPDATE SKIP LOCKED
    ), base AS (
        SELECT b.season_id, b.sku_id FROM rollup_sku_slots b
         WHERE b.slot = 0 AND (b.season_id, b.sku_id) IN (SELECT season_id, sku_id FROM side)
         ORDER BY b.season_id, b.sku_id
           FOR UPDATE SKIP LOCKED
    ), moved AS (
        DELETE FROM rollup_sku_slots r
         USING side s JOIN base b USING (season_id, sku_id)
         WHERE r.season_id = s.season_id AND r.sku_id = s.sku_id AND r.slot = s.slot
        RETURNING r.season_id, r.sku_id, r.qty, r.amount, r.lines, r.dealers
    ), m AS (
        SELECT season_id, sku_id, count(*) AS rows, sum(qty) AS qty, sum(amount) AS amount,
               sum(lines) AS lines, sum(dealers) AS dealers
          FROM moved GROUP BY season_id, sku_id
    ), upd AS (
        UPDATE rollup_sku_slots b
           SET qty = b.qty + m.qty, amount = b.amount + m.amount, lines = b.lines + m.lines, dealers = b.dealers + m.dealers
          FROM m
         WHERE b.season_id = m.season_id AND b.sku_id = m.sku_id AND b.slot = 0
        RETURNING m.rows
    )
    SELECT coalesce(sum(rows), 0) INTO n FROM upd;
    RETURN n;
END
$$;
-- +goose StatementEnd

-- The triggers.
CREATE TRIGGER rollup_lines_insert AFTER INSERT ON order_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_lines_trigger();
CREATE TRIGGER rollup_lines_update AFTER UPDATE ON order_lines
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_lines_trigger();
CREATE TRIGGER rollup_lines_delete AFTER DELETE ON order_lines
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_lines_trigger();
CREATE TRIGGER rollup_orders_update AFTER UPDATE OF status, season_id ON orders
    FOR EACH ROW EXECUTE FUNCTION rollup_orders_trigger();
CREATE TRIGGER rollup_orders_delete BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION rollup_orders_trigger();
CREATE TRIGGER rollup_lines_truncate AFTER TRUNCATE ON order_lines
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_truncate_trigger();

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
DROP FUNCTION rollup_compact();
DROP FUNCTION rollup_rebuild();
DROP FUNCTION rollup_truncate_trigger();
DROP FUNCTION rollup_orders_trigger();
DROP FUNCTION rollup_lines_trigger();
DROP FUNCTION rollup_apply(rollup_delta[]);
DROP TABLE rollup_season_dealers, rollup_orders, rollup_sku_dealers, rollup_sku_slots;
DROP TYPE rollup_sku_delta;
DROP TYPE rollup_delta;
DROP FUNCTION rollup_counted(text);
