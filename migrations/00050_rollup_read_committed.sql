-- +goose Up
-- The rollup summary's triggers read an order's lines (status changes) or
-- the order's status (line changes) from the statement's snapshot, and rely
-- on READ COMMITTED for it to include what the writer they waited for (their
-- FOR SHARE lock on the order) committed. Under REPEATABLE READ or
-- SERIALIZABLE the snapshot is the transaction's: a status change that
-- waited for a writer of the same order's lines read the lines as they were
-- before it, and the summary drifted from the lines by that writer's change
-- (a rare failure of TestSummaryConcurrentWriters, which mixed the levels).
-- The application changes orders under READ COMMITTED only; the triggers
-- now refuse the other levels with a clear error instead of miscounting.

-- +goose StatementBegin
CREATE FUNCTION rollup_require_read_committed() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'orders and order lines must be changed under READ COMMITTED, not %',
                        upper(current_setting('transaction_isolation'))
              USING ERRCODE = 'feature_not_supported',
                    HINT = 'the rollup summary triggers need each statement''s own snapshot (migration 00050)';
    END IF;
END
$$;
-- +goose StatementEnd

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
CREATE OR REPLACE FUNCTION rollup_orders_trigger() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    d rollup_delta[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF rollup_counted(OLD.status) THEN
            PERFORM rollup_require_read_committed();
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
    PERFORM rollup_require_read_committed();
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rollup_lines_trigger() RETURNS trigger
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
CREATE OR REPLACE FUNCTION rollup_orders_trigger() RETURNS trigger
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

DROP FUNCTION rollup_require_read_committed();
