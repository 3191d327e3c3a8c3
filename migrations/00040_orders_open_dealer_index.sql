-- +goose Up
-- The credit check sums the value of a dealer's open orders (ordering/orderdb
-- exposureQuery) under the dealer's lock, once per order submitted. Through
-- orders_dealer_idx it visited every order of the dealer in the heap (2.2 ms
-- for a dealer with 2,000 orders); this index holds just the open ones with
-- their value, so the sum is read from the index. Its states are
-- ordering.ExposureStatuses, written the same way in orderdb.ExposureStates
-- (a test checks that the credit check's plan uses it).
CREATE INDEX orders_open_dealer_idx ON orders (dealer_id) INCLUDE (id, total_amount)
    WHERE status = ANY (ARRAY['submitted', 'held', 'confirmed', 'in_production']::text[]);

-- +goose Down
DROP INDEX orders_open_dealer_idx;
