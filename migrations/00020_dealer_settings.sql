-- +goose Up
-- Dealer value analysis: the handling cost per order that, with the goods'
-- production cost, makes up the cost to serve a dealer (dealers/analysis.go).
INSERT INTO settings (key, value) VALUES ('order_handling_cost', '150.00') ON CONFLICT (key) DO NOTHING;

-- +goose Down
DELETE FROM settings WHERE key = 'order_handling_cost';
