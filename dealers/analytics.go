package dealers

import (
	"context"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

// Defaults and limits of the analysis parameters.
const (
	DefaultDiscountRate = "0.10"
	DefaultHorizon      = 4
	MaxHorizon          = 20
)

// AnalysisParams are the query parameters of GET /analytics/dealers, as
// the caller wrote them ("" for the default).
type AnalysisParams struct {
	Season       string
	DiscountRate string // a decimal from 0 to 1, e.g. "0.10"
	Horizon      string // whole seasons, 0–20
}

var rateRE = regexp.MustCompile(`^[0-9]{1,2}(\.[0-9]{1,6})?$`)

// parse checks the parameters, naming each bad one.
func (ap AnalysisParams) parse() (season string, rate *big.Rat, horizon int, err error) {
	season = normCode(ap.Season)
	var details []apperr.Detail
	switch {
	case season == "":
		details = append(details, apperr.Detail{Field: "season", Message: "season is required, e.g. season=AW26"})
	case !lookupKey(season):
		details = append(details, apperr.Detail{Field: "season", Message: "season is not a valid season code"})
	}
	rs := strings.TrimSpace(ap.DiscountRate)
	if rs == "" {
		rs = DefaultDiscountRate
	}
	rate = new(big.Rat)
	if !rateRE.MatchString(rs) || !setRat(rate, rs) || rate.Cmp(big.NewRat(1, 1)) > 0 {
		details = append(details, apperr.Detail{Field: "discount_rate", Message: "discount_rate must be a decimal from 0 to 1, e.g. 0.10"})
	}
	horizon = DefaultHorizon
	if hs := strings.TrimSpace(ap.Horizon); hs != "" {
		n, err := strconv.Atoi(hs)
		if err != nil || n < 0 || n > MaxHorizon {
			details = append(details, apperr.Detail{Field: "horizon", Message: "horizon must be a whole number of seasons from 0 to 20"})
		}
		horizon = n
	}
	if len(details) > 0 {
		return "", nil, 0, apperr.Invalid(details[0].Message, details...)
	}
	return season, rate, horizon, nil
}

// Analysis is the dealer value analysis of a season (planners and admins
// only; forbidden otherwise): Pareto with ABC classes, RFM scores, CLV
// (historical and trend-projected future, discounted), the 16-segment
// model with a suggested policy each, and the dealers who ordered the
// season before but not this one. Returns validation_failed naming a bad
// parameter or an unknown season.
func (s *Service) Analysis(ctx context.Context, p auth.Principal, ap AnalysisParams) (Analysis, error) {
	if err := headOffice(p, "see the dealer value analysis"); err != nil {
		return Analysis{}, err
	}
	season, rate, horizon, err := ap.parse()
	if err != nil {
		return Analysis{}, err
	}
	in, err := s.store.AnalysisFacts(ctx)
	if err != nil {
		return Analysis{}, err
	}
	for t, se := range in.Seasons {
		if se.Code == season {
			return Analyze(in, t, rate, horizon), nil
		}
	}
	return Analysis{}, apperr.Field("season", "season %s does not exist", season)
}

// Seasons returns the seasons, oldest first (for the analysis page's
// season picker). Head office only.
func (s *Service) Seasons(ctx context.Context, p auth.Principal) ([]SeasonRef, error) {
	if err := headOffice(p, "see the dealer value analysis"); err != nil {
		return nil, err
	}
	return s.store.Seasons(ctx)
}

func setRat(r *big.Rat, s string) bool {
	_, ok := r.SetString(s)
	return ok
}
