// Package aggregation rolls orders up by style, colour, size, dealer and
// region; turns the rollup into production orders (net of stock, plus
// overage, rounded up to cut lots) whose release records the demand it
// covered; and derives the fabric forecast suppliers see and acknowledge.
//
// Rollups are exact: the unfiltered style × colour × size rollup of the
// counted statuses reads a summary that triggers on order_lines and orders
// keep in the same transaction as every order change, whoever the writer
// (migration 00010; its header explains the grain, how hot SKUs
// avoid lock waits, and how the distinct order and dealer counts stay exact
// without recounting). Every other rollup (coarser or finer keys, other
// statuses, filters) is one GROUP BY over the order lines, whose distinct
// counts are not additive.
//
// The package holds types, rules and the Store it needs; aggdb implements the
// Store on PostgreSQL.
package aggregation

import (
	"context"
	"time"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/documents"
)

// Store is what the aggregation service needs from the database. Methods
// return apperr codes: not_found for unknown seasons, production orders and
// fabrics, conflict for stale production-order releases and reused
// idempotency keys, invalid_state for releasing a non-draft.
type Store interface {
	// Season returns a season by code; not_found if unknown.
	Season(ctx context.Context, code string) (Season, error)
	// UnknownCodes returns the codes of kind (region, dealer, category)
	// that do not exist, in the order given.
	UnknownCodes(ctx context.Context, kind Key, codes []string) ([]string, error)
	// Currency is the currency rollup amounts are reported in.
	Currency(ctx context.Context) (string, error)
	// RollupSummary reads the style × colour × size rollup of the counted
	// statuses from the summary table, rows ordered by the keys of by (a
	// permutation of style, color, size).
	RollupSummary(ctx context.Context, seasonID int, by []Key) ([]RollupRow, Totals, error)
	// RollupLines computes any rollup with a GROUP BY over the order lines.
	RollupLines(ctx context.Context, seasonID int, q RollupQuery) ([]RollupRow, Totals, error)
	// Drill lists the dealers and orders behind one rollup cell.
	Drill(ctx context.Context, seasonID int, q DrillQuery) (Drill, error)

	// Demand returns, per SKU of the season's styles (all when styleCodes is
	// empty) with uncovered demand, that demand, the stock still available
	// for netting and the style's cut lot; validation_failed naming
	// styles[i] for a style not offered in the season.
	Demand(ctx context.Context, seasonID int, styleCodes []string) ([]DemandLine, error)
	// CreateProductionOrder stores a draft and returns its number. With a
	// non-nil key it is idempotent: a repeat returns the first number,
	// another body under the same key is idempotency_key_reused.
	CreateProductionOrder(ctx context.Context, d Draft, key *IdempotencyKey) (number string, err error)
	// ProductionOrder returns a production order with its lines.
	ProductionOrder(ctx context.Context, number string) (ProductionOrder, error)
	// ProductionOrders lists production orders (of one season when seasonID > 0), without lines.
	ProductionOrders(ctx context.Context, seasonID int) ([]ProductionOrder, error)
	// Release releases a draft in one transaction, serialized per season:
	// it verifies with Allocate that the drafted demand and stock are still
	// there (conflict otherwise), records the coverage, and moves the
	// covered orders to in_production.
	Release(ctx context.Context, number string, userID int) error
	// Excess lists, per SKU, demand covered by released production orders
	// whose order was cancelled or reduced afterwards.
	Excess(ctx context.Context, seasonID int) ([]ExcessRow, error)
	// FabricNeeds returns the fabric needed by a production order, per style.
	FabricNeeds(ctx context.Context, number string) ([]FabricNeed, error)

	// Fabric returns a fabric by code; not_found if unknown.
	Fabric(ctx context.Context, code string) (Fabric, error)
	// Forecast computes the season's fabric forecast rows with their
	// acknowledgements, of one supplier when supplierID > 0 and of one
	// fabric when fabricCode is not empty.
	Forecast(ctx context.Context, seasonID, supplierID int, fabricCode string) ([]FabricRow, error)
	// SaveAck inserts or replaces the acknowledgement of (season, fabric, week).
	SaveAck(ctx context.Context, a AckInput) error

	// Seasons lists every season, the latest (by start date) first.
	Seasons(ctx context.Context) ([]SeasonInfo, error)
	// Dashboard computes, from one snapshot, the season's figures over the
	// orders in statuses: totals of seasonID and prevSeasonID (0: none),
	// figures by category of both, the top styles of seasonID, the dealers
	// without an order in it yet, its orders held for credit approval, and
	// its size curves with the standard curves (shares left to the service).
	Dashboard(ctx context.Context, seasonID, prevSeasonID int, statuses []string, top int) (DashboardFigures, error)
	// MatrixLayout lists the season's styles (of the given categories when
	// any) with the colours and sizes of their SKUs, by style code.
	MatrixLayout(ctx context.Context, seasonID int, categories []string) ([]StyleLayout, error)
	// Choices lists the regions, dealers and categories, by code.
	Choices(ctx context.Context) (Choices, error)
}

// Season is a selling season.
type Season struct {
	ID   int
	Code string
	Name string
}

// IdempotencyKey scopes an Idempotency-Key header to its caller and body.
type IdempotencyKey struct {
	UserID      int
	Key         string
	RequestHash string
}

// Options configure the service.
type Options struct {
	// PDFFont is the font spec for PDFs (config.PDFFont, SIZERUN_PDF_FONT):
	// one or more ":"-separated TrueType files tried first, before the
	// Latin, Chinese and Korean fonts documents.FontLoader falls back to.
	PDFFont string
	// Now returns the current time (tests may fix it).
	Now func() time.Time
}

// DefaultPDFFont is the font Debian's fonts-droid-fallback installs.
const DefaultPDFFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// Service is the aggregation service used by the API and the portal.
type Service struct {
	store Store
	opts  Options
	fonts *documents.FontLoader // PDF fonts, read once
}

// NewService returns the service on store.
func NewService(store Store, opts Options) *Service {
	if opts.PDFFont == "" {
		opts.PDFFont = DefaultPDFFont
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, opts: opts, fonts: documents.NewFontLoader(opts.PDFFont)}
}

// headOffice refuses everyone but planners and admins.
func headOffice(p auth.Principal) error {
	if p.IsHeadOffice() {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only head office may see this")
}

// forecastReader refuses dealers (and unknown roles).
func forecastReader(p auth.Principal) error {
	if p.IsHeadOffice() || p.Role == auth.RoleSupplier {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only head office and suppliers may see fabric forecasts")
}

func (s *Service) season(ctx context.Context, code string) (Season, error) {
	if code == "" {
		return Season{}, apperr.Field("season", "season is required")
	}
	return s.store.Season(ctx, code)
}
