-- +goose Up
-- The whole Sizerun domain (see shared/design/product.md). Money is numeric(14,2),
-- quantities are integers, business codes are unique. Every dealer-owned table
-- carries dealer_id so it can be distributed by dealer later (scaling.md).

CREATE TABLE regions (
    id    smallserial PRIMARY KEY,
    code  text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{1,16}$'),
    name  text NOT NULL CHECK (name <> '')
);

CREATE TABLE seasons (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{2,8}$'),
    name            text NOT NULL CHECK (name <> ''),
    starts_on       date NOT NULL,                 -- orders seasons chronologically
    order_opens_at  timestamptz NOT NULL,
    order_cutoff_at timestamptz NOT NULL,
    closed          boolean NOT NULL DEFAULT false, -- closed by head office regardless of dates
    CHECK (order_cutoff_at > order_opens_at)
);

-- Delivery windows ("drops") of a season.
CREATE TABLE delivery_windows (
    id         serial PRIMARY KEY,
    season_id  int NOT NULL REFERENCES seasons(id),
    code       text NOT NULL CHECK (code <> ''),
    name       text NOT NULL,
    ships_from date NOT NULL,
    ships_to   date NOT NULL,
    UNIQUE (season_id, code),
    CHECK (ships_to >= ships_from)
);

CREATE TABLE categories (
    id    smallserial PRIMARY KEY,
    code  text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{1,16}$'),
    name  text NOT NULL CHECK (name <> '')
);

CREATE TABLE size_scales (
    id    smallserial PRIMARY KEY,
    code  text NOT NULL UNIQUE CHECK (code <> ''),
    name  text NOT NULL
);

CREATE TABLE sizes (
    id            serial PRIMARY KEY,
    size_scale_id smallint NOT NULL REFERENCES size_scales(id),
    code          text NOT NULL CHECK (code ~ '^[A-Z0-9./-]{1,8}$'),
    position      smallint NOT NULL,
    UNIQUE (size_scale_id, code),
    UNIQUE (size_scale_id, position)
);

-- The standard size curve of a category on a size scale (shares sum to 1 per category and scale).
CREATE TABLE size_curves (
    category_id   smallint NOT NULL REFERENCES categories(id),
    size_id       int NOT NULL REFERENCES sizes(id),
    share         numeric(6,5) NOT NULL CHECK (share >= 0 AND share <= 1),
    PRIMARY KEY (category_id, size_id)
);

CREATE TABLE styles (
    id            serial PRIMARY KEY,
    code          text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,20}$'),
    name          text NOT NULL CHECK (name <> ''),
    category_id   smallint NOT NULL REFERENCES categories(id),
    size_scale_id smallint NOT NULL REFERENCES size_scales(id),
    min_order_qty int NOT NULL DEFAULT 1 CHECK (min_order_qty > 0),
    cut_lot       int NOT NULL DEFAULT 1 CHECK (cut_lot > 0),
    unit_cost     numeric(12,2) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0), -- production cost per garment
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX styles_category_idx ON styles (category_id);

CREATE TABLE season_styles (
    season_id int NOT NULL REFERENCES seasons(id),
    style_id  int NOT NULL REFERENCES styles(id),
    PRIMARY KEY (season_id, style_id)
);
CREATE INDEX season_styles_style_idx ON season_styles (style_id);

CREATE TABLE colors (
    id       serial PRIMARY KEY,
    style_id int NOT NULL REFERENCES styles(id),
    code     text NOT NULL CHECK (code ~ '^[A-Z0-9]{2,8}$'),
    name     text NOT NULL CHECK (name <> ''),
    UNIQUE (style_id, code),
    UNIQUE (id, style_id)
);

CREATE TABLE skus (
    id       serial PRIMARY KEY,
    style_id int NOT NULL REFERENCES styles(id),
    color_id int NOT NULL,
    size_id  int NOT NULL REFERENCES sizes(id),
    UNIQUE (style_id, color_id, size_id),
    FOREIGN KEY (color_id, style_id) REFERENCES colors (id, style_id)
);

-- A prepack is a fixed ratio of sizes of one size scale, sold as one pack.
CREATE TABLE prepacks (
    id            serial PRIMARY KEY,
    size_scale_id smallint NOT NULL REFERENCES size_scales(id),
    code          text NOT NULL CHECK (code ~ '^[A-Z0-9]{1,8}$'),
    name          text NOT NULL DEFAULT '',
    UNIQUE (size_scale_id, code)
);
CREATE TABLE prepack_items (
    prepack_id int NOT NULL REFERENCES prepacks(id) ON DELETE CASCADE,
    size_id    int NOT NULL REFERENCES sizes(id),
    qty        int NOT NULL CHECK (qty > 0),
    PRIMARY KEY (prepack_id, size_id)
);

CREATE TABLE price_lists (
    id       smallserial PRIMARY KEY,
    code     text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{1,16}$'),
    name     text NOT NULL,
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    is_list  boolean NOT NULL DEFAULT false   -- the list price shown to non-dealers
);
CREATE UNIQUE INDEX price_lists_one_list_idx ON price_lists (is_list) WHERE is_list;

CREATE TABLE prices (
    price_list_id smallint NOT NULL REFERENCES price_lists(id),
    style_id      int NOT NULL REFERENCES styles(id),
    price         numeric(12,2) NOT NULL CHECK (price >= 0),
    PRIMARY KEY (price_list_id, style_id)
);

CREATE TABLE dealers (
    id                 serial PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,16}$'),
    name               text NOT NULL CHECK (name <> ''),
    region_id          smallint NOT NULL REFERENCES regions(id),
    price_list_id      smallint NOT NULL REFERENCES price_lists(id),
    credit_limit       numeric(14,2) NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
    credit_policy      text NOT NULL DEFAULT 'refuse' CHECK (credit_policy IN ('refuse', 'hold')),
    payment_terms_days int NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 365),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_hold')),
    hold_reason        text NOT NULL DEFAULT '',
    auto_hold          boolean NOT NULL DEFAULT false, -- on hold because of overdue invoices
    address            text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dealers_region_idx ON dealers (region_id);

CREATE TABLE dealer_contacts (
    id        serial PRIMARY KEY,
    dealer_id int NOT NULL REFERENCES dealers(id),
    name      text NOT NULL CHECK (name <> ''),
    title     text NOT NULL DEFAULT '',
    email     text NOT NULL DEFAULT '',
    phone     text NOT NULL DEFAULT ''
);
CREATE INDEX dealer_contacts_dealer_idx ON dealer_contacts (dealer_id);

CREATE TABLE suppliers (
    id    serial PRIMARY KEY,
    code  text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,16}$'),
    name  text NOT NULL CHECK (name <> ''),
    email text NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id            serial PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('dealer', 'planner', 'supplier', 'admin')),
    dealer_id     int REFERENCES dealers(id),
    supplier_id   int REFERENCES suppliers(id),
    display_name  text NOT NULL DEFAULT '',
    locale        text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'zh', 'ko')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (email),
    CHECK ((role = 'dealer') = (dealer_id IS NOT NULL)),
    CHECK ((role = 'supplier') = (supplier_id IS NOT NULL))
);

-- Fixed-window counters for rate limits (login), shared by every server process.
CREATE TABLE rate_limits (
    bucket       text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         int NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);

-- Audit of changes to a dealer's master data, credit and status.
CREATE TABLE dealer_events (
    id         bigserial PRIMARY KEY,
    dealer_id  int NOT NULL REFERENCES dealers(id),
    user_id    int REFERENCES users(id),   -- NULL for automatic actions
    kind       text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    changes    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dealer_events_dealer_idx ON dealer_events (dealer_id, created_at);

CREATE TABLE dealer_notes (
    id         bigserial PRIMARY KEY,
    dealer_id  int NOT NULL REFERENCES dealers(id),
    user_id    int NOT NULL REFERENCES users(id),
    body       text NOT NULL CHECK (body <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dealer_notes_dealer_idx ON dealer_notes (dealer_id, created_at);

CREATE TABLE fabrics (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,20}$'),
    name            text NOT NULL CHECK (name <> ''),
    supplier_id     int NOT NULL REFERENCES suppliers(id),
    unit            text NOT NULL CHECK (unit IN ('m', 'kg')),
    wastage_pct     numeric(5,2) NOT NULL DEFAULT 0 CHECK (wastage_pct >= 0 AND wastage_pct < 100),
    lead_time_weeks int NOT NULL DEFAULT 4 CHECK (lead_time_weeks >= 0),
    unit_cost       numeric(12,2) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0)
);
CREATE INDEX fabrics_supplier_idx ON fabrics (supplier_id);

-- Bill of materials: consumption of a fabric per garment, per style and size.
CREATE TABLE bom_lines (
    style_id    int NOT NULL REFERENCES styles(id),
    size_id     int NOT NULL REFERENCES sizes(id),
    fabric_id   int NOT NULL REFERENCES fabrics(id),
    consumption numeric(10,4) NOT NULL CHECK (consumption > 0),
    PRIMARY KEY (style_id, size_id, fabric_id)
);
CREATE INDEX bom_lines_fabric_idx ON bom_lines (fabric_id);

-- Finished goods in the warehouse.
CREATE TABLE stock_on_hand (
    sku_id     int PRIMARY KEY REFERENCES skus(id),
    qty        int NOT NULL CHECK (qty >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE order_number_seq;
CREATE TABLE orders (
    id                 bigserial PRIMARY KEY,
    number             text NOT NULL UNIQUE,
    dealer_id          int NOT NULL REFERENCES dealers(id),
    season_id          int NOT NULL REFERENCES seasons(id),
    status             text NOT NULL CHECK (status IN ('draft', 'submitted', 'held', 'confirmed',
                                   'in_production', 'shipped', 'closed', 'cancelled')),
    reference          text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    currency           char(3) NOT NULL,
    total_qty          int NOT NULL DEFAULT 0 CHECK (total_qty >= 0),
    total_amount       numeric(14,2) NOT NULL DEFAULT 0 CHECK (total_amount >= 0),
    version            int NOT NULL DEFAULT 1,
    created_by         int REFERENCES users(id),
    submitted_at       timestamptz,
    confirmed_at       timestamptz,
    shipped_at         timestamptz,
    cancelled_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_dealer_idx ON orders (dealer_id, season_id, status);
CREATE INDEX orders_season_status_idx ON orders (season_id, status);
-- One open draft per dealer and season: the server-side basket.
CREATE UNIQUE INDEX orders_one_draft_idx ON orders (dealer_id, season_id) WHERE status = 'draft';

CREATE TABLE order_lines (
    id                 bigserial PRIMARY KEY,
    order_id           bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    dealer_id          int NOT NULL REFERENCES dealers(id),
    sku_id             int NOT NULL REFERENCES skus(id),
    style_id           int NOT NULL REFERENCES styles(id),
    color_id           int NOT NULL REFERENCES colors(id),
    size_id            int NOT NULL REFERENCES sizes(id),
    qty                int NOT NULL CHECK (qty > 0 AND qty <= 100000),
    unit_price         numeric(12,2) NOT NULL CHECK (unit_price >= 0), -- frozen at submit
    amount             numeric(14,2) NOT NULL CHECK (amount >= 0),
    delivery_window_id int REFERENCES delivery_windows(id),
    UNIQUE (order_id, sku_id)
);
CREATE INDEX order_lines_sku_idx ON order_lines (sku_id);
CREATE INDEX order_lines_style_idx ON order_lines (style_id, color_id, size_id);

CREATE TABLE order_events (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    dealer_id   int NOT NULL REFERENCES dealers(id),
    user_id     int REFERENCES users(id),
    kind        text NOT NULL,
    from_status text,
    to_status   text,
    detail      jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);

-- Idempotency-Key records, scoped to the calling user.
CREATE TABLE idempotency_keys (
    user_id       int NOT NULL REFERENCES users(id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    dealer_id     int REFERENCES dealers(id),
    request_hash  text NOT NULL,
    status_code   int NOT NULL,
    response_body jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

CREATE SEQUENCE production_order_number_seq;
CREATE TABLE production_orders (
    id          serial PRIMARY KEY,
    number      text NOT NULL UNIQUE,
    season_id   int NOT NULL REFERENCES seasons(id),
    status      text NOT NULL CHECK (status IN ('draft', 'released', 'cancelled')),
    overage_pct numeric(5,2) NOT NULL DEFAULT 0 CHECK (overage_pct >= 0 AND overage_pct <= 100),
    created_by  int REFERENCES users(id),
    released_by int REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz
);
CREATE INDEX production_orders_season_idx ON production_orders (season_id, status);

CREATE TABLE production_order_lines (
    production_order_id int NOT NULL REFERENCES production_orders(id) ON DELETE CASCADE,
    sku_id              int NOT NULL REFERENCES skus(id),
    style_id            int NOT NULL REFERENCES styles(id),
    color_id            int NOT NULL REFERENCES colors(id),
    size_id             int NOT NULL REFERENCES sizes(id),
    demand_qty          int NOT NULL CHECK (demand_qty >= 0),
    stock_qty           int NOT NULL CHECK (stock_qty >= 0),
    planned_qty         int NOT NULL CHECK (planned_qty >= 0),
    PRIMARY KEY (production_order_id, sku_id)
);

-- The demand a released production order covered: which order line, how much.
CREATE TABLE production_coverage (
    production_order_id int NOT NULL REFERENCES production_orders(id),
    order_line_id       bigint NOT NULL REFERENCES order_lines(id),
    dealer_id           int NOT NULL REFERENCES dealers(id),
    sku_id              int NOT NULL REFERENCES skus(id),
    qty                 int NOT NULL CHECK (qty > 0),
    PRIMARY KEY (production_order_id, order_line_id)
);
CREATE INDEX production_coverage_line_idx ON production_coverage (order_line_id);
CREATE INDEX production_coverage_sku_idx ON production_coverage (sku_id);

CREATE TABLE fabric_acknowledgements (
    id             serial PRIMARY KEY,
    season_id      int NOT NULL REFERENCES seasons(id),
    fabric_id      int NOT NULL REFERENCES fabrics(id),
    week           date NOT NULL,
    required_qty   numeric(14,2) NOT NULL,
    committed_qty  numeric(14,2) NOT NULL CHECK (committed_qty >= 0),
    committed_date date NOT NULL,
    note           text NOT NULL DEFAULT '',
    user_id        int NOT NULL REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (season_id, fabric_id, week)
);

CREATE SEQUENCE invoice_number_seq;
CREATE TABLE invoices (
    id        bigserial PRIMARY KEY,
    number    text NOT NULL UNIQUE,
    dealer_id int NOT NULL REFERENCES dealers(id),
    order_id  bigint REFERENCES orders(id),
    currency  char(3) NOT NULL,
    amount    numeric(14,2) NOT NULL CHECK (amount >= 0),
    paid      numeric(14,2) NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= amount),
    issued_on date NOT NULL,
    due_on    date NOT NULL CHECK (due_on >= issued_on),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_dealer_idx ON invoices (dealer_id, due_on);

CREATE TABLE payments (
    id          bigserial PRIMARY KEY,
    invoice_id  bigint NOT NULL REFERENCES invoices(id),
    dealer_id   int NOT NULL REFERENCES dealers(id),
    amount      numeric(14,2) NOT NULL CHECK (amount > 0),
    paid_on     date NOT NULL,
    reference   text NOT NULL DEFAULT '',
    user_id     int REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_dealer_idx ON payments (dealer_id);

CREATE SEQUENCE return_number_seq;
CREATE TABLE returns (
    id              bigserial PRIMARY KEY,
    number          text NOT NULL UNIQUE,
    dealer_id       int NOT NULL REFERENCES dealers(id),
    order_id        bigint NOT NULL REFERENCES orders(id),
    status          text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected')),
    reason          text NOT NULL CHECK (reason <> ''),
    decision_reason text NOT NULL DEFAULT '',
    credit_amount   numeric(14,2) NOT NULL DEFAULT 0 CHECK (credit_amount >= 0),
    requested_by    int REFERENCES users(id),
    decided_by      int REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz
);
CREATE INDEX returns_dealer_idx ON returns (dealer_id, created_at);

CREATE TABLE return_lines (
    return_id     bigint NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
    dealer_id     int NOT NULL REFERENCES dealers(id),
    order_line_id bigint NOT NULL REFERENCES order_lines(id),
    sku_id        int NOT NULL REFERENCES skus(id),
    qty           int NOT NULL CHECK (qty > 0),
    PRIMARY KEY (return_id, order_line_id)
);
CREATE INDEX return_lines_line_idx ON return_lines (order_line_id);

-- Credits given to a dealer (approved returns); they reduce exposure.
CREATE TABLE credit_notes (
    id         bigserial PRIMARY KEY,
    dealer_id  int NOT NULL REFERENCES dealers(id),
    return_id  bigint REFERENCES returns(id),
    amount     numeric(14,2) NOT NULL CHECK (amount > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_notes_dealer_idx ON credit_notes (dealer_id);

CREATE TABLE announcements (
    id           serial PRIMARY KEY,
    title        text NOT NULL CHECK (title <> ''),
    body         text NOT NULL,
    region_id    smallint REFERENCES regions(id),   -- NULL: every dealer
    user_id      int NOT NULL REFERENCES users(id),
    published_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE announcement_reads (
    announcement_id int NOT NULL REFERENCES announcements(id),
    user_id         int NOT NULL REFERENCES users(id),
    dealer_id       int NOT NULL REFERENCES dealers(id),
    read_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (announcement_id, user_id)
);

CREATE TABLE feedback_threads (
    id         bigserial PRIMARY KEY,
    dealer_id  int NOT NULL REFERENCES dealers(id),
    topic      text NOT NULL CHECK (topic IN ('product', 'service', 'delivery', 'other')),
    style_id   int REFERENCES styles(id),
    subject    text NOT NULL CHECK (subject <> ''),
    rating     smallint CHECK (rating BETWEEN 1 AND 5),
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    user_id    int NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_threads_dealer_idx ON feedback_threads (dealer_id, created_at);

CREATE TABLE feedback_messages (
    id         bigserial PRIMARY KEY,
    thread_id  bigint NOT NULL REFERENCES feedback_threads(id) ON DELETE CASCADE,
    dealer_id  int NOT NULL REFERENCES dealers(id),
    user_id    int NOT NULL REFERENCES users(id),
    body       text NOT NULL CHECK (body <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_messages_thread_idx ON feedback_messages (thread_id, id);

-- Settings head office can change at run time (for example overdue_hold_days).
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO settings (key, value) VALUES ('overdue_hold_days', '30');

-- +goose Down
DROP TABLE settings, feedback_messages, feedback_threads, announcement_reads, announcements,
    credit_notes, return_lines, returns, payments, invoices, fabric_acknowledgements,
    production_coverage, production_order_lines, production_orders, idempotency_keys,
    order_events, order_lines, orders, stock_on_hand, bom_lines, fabrics, dealer_notes,
    dealer_events, rate_limits, users, suppliers, dealer_contacts, dealers, prices,
    price_lists, prepack_items, prepacks, skus, colors, season_styles, styles, size_curves,
    sizes, size_scales, categories, delivery_windows, seasons, regions;
DROP SEQUENCE return_number_seq, invoice_number_seq, production_order_number_seq, order_number_seq;
