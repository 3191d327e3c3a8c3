-- +goose Up
-- The credit check summed the dealer's open orders on every submission:
-- one index entry and one heap visit per open order, 0.3-0.5 ms for a
-- dealer with a few thousand (issue 6), and growing with every order.
-- dealer_open_orders keeps that sum per dealer, kept exact by statement
-- triggers on orders in the writer's transaction (as the rollup summary is),
-- so the check reads one row. order_exposure_counted names the states that
-- count, the same as ordering.ExposureStatuses (a test compares them).

-- +goose StatementBegin
CREATE FUNCTION order_exposure_counted(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT status IN ('submitted', 'held', 'confirmed', 'in_production') $$;
-- +goose StatementEnd

CREATE TABLE dealer_open_orders (
    dealer_id int PRIMARY KEY REFERENCES dealers(id),
    amount    numeric(16,2) NOT NULL  -- no CHECK: the upserts below insert negative changes
);

INSERT INTO dealer_open_orders (dealer_id, amount)
SELECT dealer_id, sum(total_amount) FROM orders WHERE order_exposure_counted(status) GROUP BY dealer_id;

-- +goose StatementBegin
CREATE FUNCTION dealer_open_orders_apply() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    -- Per dealer, the change of its open orders' value; rows in dealer
    -- order, so that statements touching several dealers lock them in one
    -- order.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO dealer_open_orders AS t (dealer_id, amount)
        SELECT dealer_id, sum(total_amount) FROM new_orders
         WHERE order_exposure_counted(status)
         GROUP BY dealer_id HAVING sum(total_amount) <> 0
         ORDER BY dealer_id
            ON CONFLICT (dealer_id) DO UPDATE SET amount = t.amount + excluded.amount;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO dealer_open_orders AS t (dealer_id, amount)
        SELECT dealer_id, -sum(total_amount) FROM old_orders
         WHERE order_exposure_counted(status)
         GROUP BY dealer_id HAVING sum(total_amount) <> 0
         ORDER BY dealer_id
            ON CONFLICT (dealer_id) DO UPDATE SET amount = t.amount + excluded.amount;
    ELSE
        INSERT INTO dealer_open_orders AS t (dealer_id, amount)
        SELECT dealer_id, sum(amount)
          FROM (SELECT dealer_id, total_amount AS amount FROM new_orders WHERE order_exposure_counted(status)
                UNION ALL
                SELECT dealer_id, -total_amount FROM old_orders WHERE order_exposure_counted(status)) x
         GROUP BY dealer_id HAVING sum(amount) <> 0
         ORDER BY dealer_id
            ON CONFLICT (dealer_id) DO UPDATE SET amount = t.amount + excluded.amount;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER dealer_open_orders_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION dealer_open_orders_apply();
CREATE TRIGGER dealer_open_orders_update AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION dealer_open_orders_apply();
CREATE TRIGGER dealer_open_orders_delete AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_orders
    FOR EACH STATEMENT EXECUTE FUNCTION dealer_open_orders_apply();

-- The partial index that the sum read (migration 00040) has no reader left;
-- every order insert paid for it.
DROP INDEX orders_open_dealer_idx;

-- +goose Down
CREATE INDEX orders_open_dealer_idx ON orders (dealer_id) INCLUDE (id, total_amount)
    WHERE status = ANY (ARRAY['submitted', 'held', 'confirmed', 'in_production']::text[]);
DROP TRIGGER dealer_open_orders_delete ON orders;
DROP TRIGGER dealer_open_orders_update ON orders;
DROP TRIGGER dealer_open_orders_insert ON orders;
DROP FUNCTION dealer_open_orders_apply();
DROP TABLE dealer_open_orders;
DROP FUNCTION order_exposure_counted(text);
