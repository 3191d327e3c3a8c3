-- +goose Up
-- The rollup summary's triggers ran four statements whose cost grew with
-- the tables instead of with the change. Joined with the transition table
-- (about 50 lines of one order), `orders` was planned as a sequential scan
-- (hash join: 50 index probes cost more than a scan of a few thousand rows
-- at the default random_page_cost), twice per statement that changes lines;
-- and rollup_sku_slots, joined with the SKU deltas, the same, twice more.
-- Under load each submission scanned every order and every slot row, and
-- more each second: with 6,000 orders the trigger took 4.5 ms of a 7 ms
-- insert of 50 lines, and between autovacuum runs (dead slot versions)
-- throughput at 16 dealers sagged from ~240 to ~150 orders/s
-- (docs/performance.md). Now the orders are read by their ids and the slot
-- rows by one index probe per SKU, so the cost follows the change.
-- Behaviour is unchanged: same locks in the same order, same deltas.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rollup_lines_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    d   rollup_delta[];
    ids bigint[];   -- the orders whose lines changed, in id order
BEGIN
    PERFORM rollup_require_read_committed();
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT order_id ORDER BY order_id) INTO ids FROM new_lines;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT order_id ORDER BY order_id) INTO ids FROM old_lines;
    ELSE
        SELECT array_agg(x.order_id ORDER BY x.order_id) INTO ids
          FROM (SELECT order_id FROM old_lines UNION SELECT order_id FROM new_lines) x;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    -- The orders by their ids (an index probe each), never by a join of the
    -- transition table with orders, which PostgreSQL may plan as a scan of
    -- every order.
    PERFORM 1 FROM orders WHERE id = ANY (ids) ORDER BY id FOR SHARE;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                             l.qty, l.amount, 1, l.order_id)::rollup_delta)
          INTO d
          FROM new_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.id = ANY (ids) AND rollup_counted(o.status);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                             -l.qty, -l.amount, -1, l.order_id)::rollup_delta)
          INTO d
          FROM old_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.id = ANY (ids) AND rollup_counted(o.status);
    ELSE
        SELECT array_agg(x.r)
          INTO d
          FROM (SELECT ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                           -l.qty, -l.amount, -1, l.order_id)::rollup_delta AS r
                  FROM old_lines l JOIN orders o ON o.id = l.order_id
                 WHERE o.id = ANY (ids) AND rollup_counted(o.status)
                UNION ALL
                SELECT ROW(o.season_id, l.sku_id, l.dealer_id, l.style_id, l.color_id, l.size_id,
                           l.qty, l.amount, 1, l.order_id)::rollup_delta
                  FROM new_lines l JOIN orders o ON o.id = l.order_id
                 WHERE o.id = ANY (ids) AND rollup_counted(o.status)) x;
    END IF;
    IF d IS NOT NULL THEN
        PERFORM rollup_apply(d);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rollup_apply(deltas rollup_delta[]) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    s   rollup_sku_delta[];
    got  bigint[];  -- (season_id << 32) | sku_id of the base rows this transaction holds
    tids tid[];     -- and where those rows are
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

    -- Base rows nobody else holds take the change. One index probe per SKU
    -- (the LATERAL subquery with its row lock is not flattened into a join,
    -- so the planner cannot pick a scan of the whole table), then the update
    -- by the locked rows' ctids: held FOR UPDATE, they cannot move.
    SELECT array_agg((x.season_id::bigint << 32) | x.sku_id), array_agg(b.ctid)
      INTO got, tids
      FROM unnest(s) x
     CROSS JOIN LATERAL (SELECT r.ctid
                           FROM rollup_sku_slots r
                          WHERE r.season_id = x.season_id AND r.sku_id = x.sku_id AND r.slot = 0
                            FOR UPDATE SKIP LOCKED) b;
    IF got IS NOT NULL THEN
        UPDATE rollup_sku_slots r
           SET qty = r.qty + x.qty, amount = r.amount + x.amount,
               lines = r.lines + x.lines, dealers = r.dealers + x.dealers
          FROM unnest(s) x
         WHERE r.ctid = ANY (tids)
           AND r.season_id = x.season_id AND r.sku_id = x.sku_id AND r.slot = 0;
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rollup_lines_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    d rollup_delta[];
BEGIN
    PERFORM rollup_require_read_committed();
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
CREATE OR REPLACE FUNCTION rollup_apply(deltas rollup_delta[]) RETURNS void
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
