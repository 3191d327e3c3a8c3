package catalog

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

// Store is what the catalogue needs from the database.
type Store interface {
	// Seasons returns every season with its delivery windows, newest first.
	Seasons(ctx context.Context) ([]Season, error)
	// Season returns one season with its delivery windows; apperr.NotFound if
	// there is none.
	Season(ctx context.Context, code string) (Season, error)
	// Styles returns the styles offered in a season that match q, by code,
	// priced from the dealer's price list (q.DealerID > 0) or the list price
	// list.
	Styles(ctx context.Context, q StyleQuery) ([]Style, error)
	// Categories returns the categories of the styles offered in a season.
	Categories(ctx context.Context, seasonID int) ([]Category, error)
}

// StyleQuery selects styles of one season.
type StyleQuery struct {
	SeasonID int
	DealerID int    // 0: list prices
	Category string // category code; "" for all
	Search   string // substring of the style code or name; "" for all
	Style    string // one style code; "" for all
}

// StyleFilter is what callers may filter styles by.
type StyleFilter struct {
	Category string
	Q        string
}

// Service answers catalogue questions for dealers and head office.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the catalogue service. now is the clock that decides
// whether a season is open; nil means time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// allowed refuses suppliers: the catalogue is for dealers and head office.
func allowed(p auth.Principal) error {
	switch p.Role {
	case auth.RoleDealer, auth.RolePlanner, auth.RoleAdmin:
		return nil
	}
	return apperr.New(apperr.Forbidden, "the catalogue is for dealers and head office")
}

// Seasons lists every season with its status and delivery windows.
// Returns forbidden for suppliers.
func (s *Service) Seasons(ctx context.Context, p auth.Principal) ([]Season, error) {
	if err := allowed(p); err != nil {
		return nil, err
	}
	ss, err := s.store.Seasons(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range ss {
		ss[i] = ss[i].WithStatus(now)
	}
	return ss, nil
}

// Season returns one season. Returns not_found or forbidden.
func (s *Service) Season(ctx context.Context, p auth.Principal, code string) (Season, error) {
	if err := allowed(p); err != nil {
		return Season{}, err
	}
	se, err := s.store.Season(ctx, strings.TrimSpace(code))
	if err != nil {
		return Season{}, err
	}
	return se.WithStatus(s.now()), nil
}

// Styles lists the styles of a season at the caller's prices, filtered by
// category and a search on code or name. Returns not_found for an unknown
// season, validation_failed for an over-long search, forbidden for suppliers.
func (s *Service) Styles(ctx context.Context, p auth.Principal, season string, f StyleFilter) ([]Style, error) {
	if err := allowed(p); err != nil {
		return nil, err
	}
	f.Q = strings.TrimSpace(f.Q)
	f.Category = strings.TrimSpace(f.Category)
	if utf8.RuneCountInString(f.Q) > 100 {
		return nil, apperr.Field("q", "the search may have at most 100 characters")
	}
	se, err := s.store.Season(ctx, strings.TrimSpace(season))
	if err != nil {
		return nil, err
	}
	return s.store.Styles(ctx, StyleQuery{SeasonID: se.ID, DealerID: p.DealerID, Category: f.Category, Search: f.Q})
}

// Style returns one style of a season at the caller's price. Returns
// not_found when the season does not exist or does not offer the style.
func (s *Service) Style(ctx context.Context, p auth.Principal, season, style string) (Style, error) {
	if err := allowed(p); err != nil {
		return Style{}, err
	}
	se, err := s.store.Season(ctx, strings.TrimSpace(season))
	if err != nil {
		return Style{}, err
	}
	style = strings.TrimSpace(style)
	if style == "" {
		return Style{}, apperr.New(apperr.NotFound, "style not found")
	}
	st, err := s.store.Styles(ctx, StyleQuery{SeasonID: se.ID, DealerID: p.DealerID, Style: style})
	if err != nil {
		return Style{}, err
	}
	if len(st) == 0 {
		return Style{}, apperr.New(apperr.NotFound, "style %s is not offered in season %s", style, se.Code)
	}
	return st[0], nil
}

// Categories lists the categories offered in a season.
func (s *Service) Categories(ctx context.Context, p auth.Principal, season string) ([]Category, error) {
	if err := allowed(p); err != nil {
		return nil, err
	}
	se, err := s.store.Season(ctx, strings.TrimSpace(season))
	if err != nil {
		return nil, err
	}
	return s.store.Categories(ctx, se.ID)
}

// EscapeLike escapes the LIKE wildcards in s (with backslash as the escape
// character) so a search matches them literally.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
